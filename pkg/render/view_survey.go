package render

import (
	"fmt"
	"strings"

	"reportmailer/pkg/format"
	"reportmailer/pkg/reports"
)

func surveyView(v *view, _ *Digest, s *Section, _ *reports.Spec) {
	// Merge campaigns: the same question across campaigns adds up.
	var blocks []surveyBlock
	index := map[string]int{}
	add := func(q, answer string, n float64) {
		i, ok := index[q]
		if !ok {
			i = len(blocks)
			index[q] = i
			blocks = append(blocks, surveyBlock{question: q})
		}
		b := &blocks[i]
		b.total += n
		for j := range b.answers {
			if b.answers[j].label == answer {
				b.answers[j].value += n
				return
			}
		}
		b.answers = append(b.answers, entry{label: answer, value: n})
	}
	for _, r := range s.Rows {
		for _, f := range r.(*reports.SurveyRow).Fields {
			for _, o := range f.Options {
				add(f.FieldName, answerText(o.Name), o.Count)
			}
			for _, g := range f.Groups {
				for _, o := range g.Options {
					add(f.FieldName, g.Name+" › "+answerText(o.Name), o.Count)
				}
			}
		}
	}
	t := &Table{Head: []string{"Question", "Answer", "Count", "Share"}, NumericFrom: 2}
	var total float64
	for i := range blocks {
		blocks[i].answers = ranked(blocks[i].answers, 8, nil)
		// One question's answers are shares of one whole, not members
		// ranked against each other: the tail is their sum, and says so.
		if as := blocks[i].answers; len(as) > 0 && as[len(as)-1].others > 0 {
			last := &as[len(as)-1]
			last.value *= float64(last.others)
			last.label = format.Count(float64(last.others)) + " other answers"
		}
		for _, a := range blocks[i].answers {
			t.Rows = append(t.Rows, []string{blocks[i].question, a.label, format.Count(a.value), format.Percent(ratio(a.value, blocks[i].total))})
		}
		total += blocks[i].total
	}
	if total == 0 {
		return
	}
	v.Table = t
	v.Summary = fmt.Sprintf("%d questions, %s answers", len(blocks), format.Count(total))
	v.figure = func(lo layout) *Figure { return surveyFigure(blocks, v.Title+": "+v.Summary, lo) }
}

// answerText reads a survey answer as a person would: checkbox questions
// come back as "true"/"false".
func answerText(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return "Yes"
	case "false":
		return "No"
	}
	return s
}
