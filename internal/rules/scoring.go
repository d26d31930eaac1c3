package rules

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/scamscope/scamscope/internal/extract"
)

// ScoringFile is the file, beside the rule files, that holds Scoring.
const ScoringFile = "scoring.yaml"

// Scoring is how evidence turns into a verdict: the categories rules belong
// to, how much each may contribute, the indicators that add to them, and
// the thresholds. It is decoded, strictly, from scoring.yaml.
type Scoring struct {
	// ScamThreshold and SuspiciousThreshold are scores (0..100); a SCAM
	// label also needs ScamMinCategories distinct categories with positive
	// contributions.
	ScamThreshold       int
	SuspiciousThreshold int
	ScamMinCategories   int
	// BenignVeto, when above 0, keeps a page that is about scams from being
	// called SCAM: when the benign category contributes -BenignVeto or less
	// and the lock category has no evidence (pages about scams quote the
	// scam's words; they do not trap the visitor), the label is at most
	// SUSPICIOUS. 0 turns it off.
	BenignVeto int
	// Categories in file order.
	Categories []Category
	// Indicators in file order.
	Indicators []Indicator
	// RuleSetVersion is the Version of the set the scoring was loaded with.
	RuleSetVersion string
}

// Category groups rules that are evidence of one thing. A category's
// contribution to the score is the sum of its fired rules' and indicators'
// weights, clamped to [-Cap, Cap].
type Category struct {
	Name        string
	Description string
	Cap         int
}

// IndicatorKind is what page fact an indicator counts.
type IndicatorKind string

// The indicator kinds.
const (
	IndicatorPhone         IndicatorKind = "phone"           // any phone number
	IndicatorTollFreePhone IndicatorKind = "toll_free_phone" // a toll-free phone number
	IndicatorErrorCode     IndicatorKind = "error_code"      // an extracted fake error code
	IndicatorLock          IndicatorKind = "lock"            // a lock behaviour (of Lock kind, or any)
	IndicatorRuntimeLock   IndicatorKind = "runtime_lock"    // a lock behaviour observed at run time
	IndicatorPhoneForm     IndicatorKind = "phone_form"      // a form that asks for the visitor's phone number
)

var indicatorKinds = []IndicatorKind{IndicatorPhone, IndicatorTollFreePhone, IndicatorErrorCode, IndicatorLock, IndicatorRuntimeLock, IndicatorPhoneForm}

// Indicator adds Weight to Category once when the page shows its kind of
// fact and every category in With already has evidence from fired rules.
type Indicator struct {
	ID          string
	Description string
	Kind        IndicatorKind
	Lock        extract.LockKind // for IndicatorLock: the kind needed; empty for any
	Category    string
	Weight      int
	With        []string
}

// Category returns the category named name.
func (s Scoring) Category(name string) (Category, bool) {
	for _, c := range s.Categories {
		if c.Name == name {
			return c, true
		}
	}
	return Category{}, false
}

// lockKinds are the lock behaviours extract reports.
var lockKinds = []extract.LockKind{
	extract.LockDialogLoop, extract.LockBeforeUnload, extract.LockHistoryFlood, extract.LockFullscreen,
	extract.LockKeyboard, extract.LockPointer, extract.LockContextMenu, extract.LockDevtoolsKeys,
	extract.LockAudioLoop, extract.LockPrintLoop, extract.LockDownloadLoop, extract.LockNotificationSpam,
	extract.LockWindowOpenStorm, extract.LockObfuscation,
}

func isLockKind(s string) bool {
	for _, k := range lockKinds {
		if string(k) == s {
			return true
		}
	}
	return false
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// decodeScoring decodes scoring.yaml's root node. ok is false when the
// categories could not be read, so rules cannot be checked against them.
func decodeScoring(d *decoder, root *yaml.Node) (s Scoring, ok bool) {
	var haveThresholds, haveCategories bool
	catsOK := true
	indNodes := (*yaml.Node)(nil)
	d.mapping(root, "scoring", func(key string, k, v *yaml.Node) {
		switch key {
		case "thresholds":
			haveThresholds = true
			d.decodeThresholds(v, &s)
		case "categories":
			haveCategories = true
			catsOK = d.decodeCategories(v, &s)
		case "indicators":
			indNodes = v
		default:
			d.errorf(k.Line, "scoring: unknown key %q (want thresholds, categories, indicators)", key)
		}
	})
	if root.Kind != yaml.MappingNode {
		return s, false
	}
	if !haveThresholds {
		d.errorf(root.Line, "scoring: thresholds missing")
	}
	if !haveCategories {
		d.errorf(root.Line, "scoring: categories missing")
		catsOK = false
	}
	if indNodes != nil {
		d.decodeIndicators(indNodes, &s)
	}
	return s, catsOK
}

func (d *decoder) decodeThresholds(n *yaml.Node, s *Scoring) {
	seen := map[string]bool{}
	d.mapping(n, "thresholds", func(key string, k, v *yaml.Node) {
		var dst *int
		switch key {
		case "scam":
			dst = &s.ScamThreshold
		case "suspicious":
			dst = &s.SuspiciousThreshold
		case "scam_min_categories":
			dst = &s.ScamMinCategories
		case "benign_veto":
			dst = &s.BenignVeto
		default:
			d.errorf(k.Line, "thresholds: unknown key %q (want scam, suspicious, scam_min_categories, benign_veto)", key)
			return
		}
		i, ok := d.integer(v, "thresholds."+key)
		if !ok {
			return
		}
		seen[key] = true
		*dst = i
		if key == "scam_min_categories" {
			if i < 1 {
				d.errorf(v.Line, "thresholds.%s: must be at least 1", key)
			}
		} else if key == "benign_veto" {
			if i < 0 || i > 100 {
				d.errorf(v.Line, "thresholds.%s: must be within 0..100", key)
			}
		} else if i < 1 || i > 100 {
			d.errorf(v.Line, "thresholds.%s: must be within 1..100", key)
		}
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, key := range []string{"scam", "suspicious", "scam_min_categories"} {
		if !seen[key] {
			d.errorf(n.Line, "thresholds: %s missing", key)
		}
	}
	if seen["scam"] && seen["suspicious"] && s.SuspiciousThreshold > s.ScamThreshold {
		d.errorf(n.Line, "thresholds: suspicious (%d) is above scam (%d)", s.SuspiciousThreshold, s.ScamThreshold)
	}
}

func (d *decoder) decodeCategories(n *yaml.Node, s *Scoring) bool {
	before := len(d.errs)
	d.mapping(n, "categories", func(name string, k, v *yaml.Node) {
		if !nameRE.MatchString(name) {
			d.errorf(k.Line, "category %q: names are lower-case letters, digits and _", name)
			return
		}
		c := Category{Name: name}
		haveCap := false
		d.mapping(v, "category "+name, func(key string, k, v *yaml.Node) {
			switch key {
			case "cap":
				if i, ok := d.integer(v, "category "+name+": cap"); ok {
					haveCap = true
					c.Cap = i
					if i < 1 || i > 100 {
						d.errorf(v.Line, "category %s: cap must be within 1..100", name)
					}
				}
			case "description":
				c.Description, _ = d.str(v, "category "+name+": description")
			default:
				d.errorf(k.Line, "category %s: unknown key %q (want cap, description)", name, key)
			}
		})
		if v.Kind == yaml.MappingNode && !haveCap {
			d.errorf(v.Line, "category %s: cap missing", name)
		}
		s.Categories = append(s.Categories, c)
	})
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		d.errorf(n.Line, "categories: none defined")
	}
	return len(d.errs) == before
}

func (d *decoder) decodeIndicators(n *yaml.Node, s *Scoring) {
	items, ok := d.seq(n, "indicators")
	if !ok {
		return
	}
	ids := map[string]int{}
	for _, it := range items {
		var ind Indicator
		var haveKind, haveCat, haveWeight bool
		lockLine := 0
		d.mapping(it, "indicator", func(key string, k, v *yaml.Node) {
			switch key {
			case "id":
				if id, ok := d.str(v, "indicator id"); ok {
					if !idRE.MatchString(id) {
						d.errorf(v.Line, "indicator id %q: want [a-z0-9._-]+", id)
					} else if first, dup := ids[id]; dup {
						d.errorf(v.Line, "indicator id %q repeated (first on line %d)", id, first)
					} else {
						ids[id] = v.Line
					}
					ind.ID = id
				}
			case "description":
				ind.Description, _ = d.str(v, "indicator description")
			case "kind":
				if kind, ok := d.str(v, "indicator kind"); ok {
					haveKind = true
					ind.Kind = IndicatorKind(kind)
					known := false
					for _, k := range indicatorKinds {
						known = known || k == ind.Kind
					}
					if !known {
						d.errorf(v.Line, "indicator kind %q unknown (want one of %v)", kind, indicatorKinds)
					}
				}
			case "lock":
				if l, ok := d.str(v, "indicator lock"); ok {
					lockLine = v.Line
					ind.Lock = extract.LockKind(l)
					if !isLockKind(l) {
						d.errorf(v.Line, "indicator lock %q: not a lock kind (want one of %v)", l, lockKinds)
					}
				}
			case "category":
				if c, ok := d.str(v, "indicator category"); ok {
					haveCat = true
					ind.Category = c
					if _, ok := s.Category(c); !ok {
						d.errorf(v.Line, "indicator category %q is not defined under categories", c)
					}
				}
			case "weight":
				if w, ok := d.integer(v, "indicator weight"); ok {
					haveWeight = true
					ind.Weight = w
					if w == 0 || w < -100 || w > 100 {
						d.errorf(v.Line, "indicator weight must be non-zero and within -100..100")
					}
				}
			case "with":
				if cs, lines, ok := d.strList(v, "indicator with"); ok {
					for i, c := range cs {
						if _, ok := s.Category(c); !ok {
							d.errorf(lines[i], "indicator with: category %q is not defined under categories", c)
						}
					}
					ind.With = cs
				}
			default:
				d.errorf(k.Line, "indicator: unknown key %q (want id, description, kind, lock, category, weight, with)", key)
			}
		})
		if it.Kind != yaml.MappingNode {
			continue
		}
		for _, m := range []struct {
			have bool
			key  string
		}{{ind.ID != "", "id"}, {haveKind, "kind"}, {haveCat, "category"}, {haveWeight, "weight"}} {
			if !m.have {
				d.errorf(it.Line, "indicator: %s missing", m.key)
			}
		}
		if lockLine > 0 && ind.Kind != IndicatorLock {
			d.errorf(lockLine, "indicator %s: lock applies only to kind lock", ind.ID)
		}
		s.Indicators = append(s.Indicators, ind)
	}
}

// String summarises the scoring for logs.
func (s Scoring) String() string {
	return fmt.Sprintf("scam>=%d (%d categories) suspicious>=%d, %d categories, %d indicators",
		s.ScamThreshold, s.ScamMinCategories, s.SuspiciousThreshold, len(s.Categories), len(s.Indicators))
}
