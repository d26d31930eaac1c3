package score

import (
	"cmp"
	"slices"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
)

// The categories the benign veto reads (see rules.Scoring.BenignVeto).
const (
	BenignCategory = "benign"
	LockCategory   = "lock"
)

// Score combines the rules that fired on a page, and the page's indicators,
// into a verdict under cfg. f may be nil.
func Score(f *extract.Features, fired []rules.Fired, cfg rules.Scoring) Verdict {
	if f == nil {
		f = &extract.Features{}
	}
	v := Verdict{RuleSetVersion: cfg.RuleSetVersion}
	sums := make([]int, len(cfg.Categories))
	evidenced := make([]bool, len(cfg.Categories)) // a positive rule fired in it
	index := func(name string) int {
		return slices.IndexFunc(cfg.Categories, func(c rules.Category) bool { return c.Name == name })
	}

	var brands, tools []string
	for _, fr := range fired {
		r := fr.Rule
		if r == nil {
			continue
		}
		v.Fired = append(v.Fired, FiredRule{ID: r.ID, Title: r.Title, Category: r.Category, Weight: r.Weight, Evidence: fr.Evidence})
		if r.Brand != "" {
			brands = append(brands, r.Brand)
		}
		if r.Tool != "" {
			tools = append(tools, r.Tool)
		}
		i := index(r.Category)
		if i < 0 {
			v.Warnings = append(v.Warnings, "rule "+r.ID+": category "+r.Category+" is not in the scoring configuration")
			continue
		}
		sums[i] += r.Weight
		if r.Weight > 0 {
			evidenced[i] = true
		}
	}

	for _, ind := range cfg.Indicators {
		i := index(ind.Category)
		if i < 0 || !present(f, ind) {
			continue
		}
		with := true
		for _, c := range ind.With {
			j := index(c)
			with = with && j >= 0 && evidenced[j]
		}
		if with {
			sums[i] += ind.Weight
		}
	}

	total, positive, vetoed := 0, 0, false
	for i, c := range cfg.Categories {
		contrib := max(-c.Cap, min(c.Cap, sums[i]))
		if c.Name == BenignCategory && cfg.BenignVeto > 0 && contrib <= -cfg.BenignVeto {
			vetoed = true
		}
		if contrib == 0 {
			continue
		}
		total += contrib
		if contrib > 0 {
			positive++
		}
		v.Categories = append(v.Categories, c.Name)
		v.Breakdown = append(v.Breakdown, CategoryScore{Category: c.Name, Score: contrib})
	}
	if vetoed {
		if i := index(LockCategory); i >= 0 && evidenced[i] {
			vetoed = false
		}
	}
	v.Score = max(0, min(100, total))
	switch {
	case v.Score >= cfg.ScamThreshold && positive >= cfg.ScamMinCategories && !vetoed:
		v.Label = Scam
	case v.Score >= cfg.SuspiciousThreshold:
		v.Label = Suspicious
	}

	slices.SortStableFunc(v.Fired, func(a, b FiredRule) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.ID, b.ID))
	})
	v.Indicators = Indicators{
		Phones:      f.Phones,
		ErrorCodes:  f.ErrorCodes,
		Brands:      uniq(brands),
		RemoteTools: uniq(tools),
		Locks:       f.Locks,
	}
	v.Warnings = append(v.Warnings, f.Warnings...)
	return v
}

// present reports whether the page shows the fact an indicator counts.
func present(f *extract.Features, ind rules.Indicator) bool {
	switch ind.Kind {
	case rules.IndicatorPhone:
		return len(f.Phones) > 0
	case rules.IndicatorTollFreePhone:
		return slices.ContainsFunc(f.Phones, func(p extract.Phone) bool { return p.Type == "toll_free" })
	case rules.IndicatorErrorCode:
		return len(f.ErrorCodes) > 0
	case rules.IndicatorLock:
		return slices.ContainsFunc(f.Locks, func(l extract.Lock) bool { return ind.Lock == "" || l.Kind == ind.Lock })
	case rules.IndicatorRuntimeLock:
		return slices.ContainsFunc(f.Locks, func(l extract.Lock) bool { return l.Runtime })
	case rules.IndicatorPhoneForm:
		return slices.ContainsFunc(f.Forms, func(fm extract.Form) bool { return fm.AsksPhone })
	}
	return false
}

// uniq sorts ss and drops repeats.
func uniq(ss []string) []string {
	slices.Sort(ss)
	return slices.Compact(ss)
}
