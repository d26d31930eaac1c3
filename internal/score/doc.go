// Package score turns a page's features and the rules that fired on it into
// a Verdict: a label, a score from 0 to 100, and the evidence behind them.
//
// Evidence combines; no single signal convicts. Every rule belongs to a
// category (brand, alarm, support_cta, ...) defined in scoring.yaml; a
// category's contribution is the sum of its fired rules' weights and of the
// indicators it receives (a phone number next to a call-support wording, an
// extracted error code, a lock seen at run time), clamped to [-cap, cap].
// The score is the sum of the contributions, clamped to 0..100. A page is
// SCAM when the score reaches the scam threshold and at least
// scam_min_categories categories contribute positively, SUSPICIOUS when it
// reaches the suspicious threshold, CLEAN otherwise. Negative weights (the
// benign category: scam-awareness wording, vendors' own pages) pull a page
// down.
//
// Score is pure: it matches nothing and loads nothing; internal/rules does
// both and supplies the Scoring.
package score
