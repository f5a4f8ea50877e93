package text

import "unicode"

// The PDF writer (gofpdf) and the PNG renderer (freetype) draw a string
// rune by rune, left to right, one glyph per rune from the font's cmap:
// neither shapes text nor knows its direction. Visual turns a logical
// string into the sequence of runes to draw left to right:
//
//   - Arabic letters become their contextual presentation forms (U+FB50–
//     U+FEFF: isolated, initial, medial, final, and the lam-alef
//     ligatures), which Noto Sans Arabic maps to the same glyphs its own
//     GSUB tables would choose (fonts_internal_test.go compares them with a
//     HarfBuzz shaper's output);
//   - right-to-left runs (Arabic, Hebrew) are reversed by a subset of the
//     Unicode bidi algorithm that is enough for names and labels: a
//     paragraph direction from the first strong character, numbers and
//     neutrals resolved by their neighbours, mirrored brackets, combining
//     marks kept after their base;
//   - Devanagari's vowel sign i (ि), written after its consonant cluster,
//     is drawn before it.
//
// Strings with none of these scripts come back unchanged, without
// allocating.
func Visual(s string) string {
	shaped := false
	for _, r := range s {
		if r >= 0x590 && (isRTL(r) || r == devaI) {
			shaped = true
			break
		}
	}
	if !shaped {
		return s
	}
	rs := []rune(s)
	rs = shapeArabic(rs)
	rs = reorderDevanagari(rs)
	return string(bidiReorder(rs))
}

func isRTL(r rune) bool {
	return (r >= 0x590 && r <= 0x8FF) || (r >= 0xFB1D && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
}

// arabicLetter is a letter's isolated presentation form and how many
// forms follow it: 2 (isolated, final: joins only to the letter before
// it) or 4 (isolated, final, initial, medial: joins on both sides).
type arabicLetter struct {
	iso   rune
	forms int
}

var arabicLetters = func() map[rune]arabicLetter {
	m := map[rune]arabicLetter{}
	// U+0621–U+064A map in order onto U+FE80–U+FEF4.
	forms := []int{1, 2, 2, 2, 2, 4, 2, 4, 2, 4, 4, 4, 4, 4, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, // 0621–063A
		4, 4, 4, 4, 4, 4, 4, 2, 2, 4} // 0641–064A
	next := rune(0xFE80)
	letter := rune(0x0621)
	for i, n := range forms {
		if i == 26 {
			letter = 0x0641
		}
		m[letter] = arabicLetter{next, n}
		next += rune(n)
		letter++
	}
	// Persian and Urdu letters, from Arabic Presentation Forms-A.
	for _, l := range []struct {
		r, iso rune
		forms  int
	}{
		{0x067E, 0xFB56, 4}, {0x0686, 0xFB7A, 4}, {0x0698, 0xFB8A, 2}, {0x06A9, 0xFB8E, 4},
		{0x06AF, 0xFB92, 4}, {0x06CC, 0xFBFC, 4}, {0x0679, 0xFB66, 4}, {0x0688, 0xFB88, 2},
		{0x0691, 0xFB8C, 2}, {0x06BA, 0xFB9E, 2}, {0x06C1, 0xFBA6, 4}, {0x06BE, 0xFBAA, 4},
		{0x06D2, 0xFBAE, 2},
	} {
		m[l.r] = arabicLetter{l.iso, l.forms}
	}
	return m
}()

// lamAlef maps an alef to the isolated lam-alef ligature it forms after lam.
var lamAlef = map[rune]rune{0x0622: 0xFEF5, 0x0623: 0xFEF7, 0x0625: 0xFEF9, 0x0627: 0xFEFB}

const (
	tatweel = 0x0640
	zwj     = 0x200D
	devaI   = 0x093F
)

// joinsForward reports whether r connects to the letter after it.
func joinsForward(r rune) bool {
	if r == tatweel || r == zwj {
		return true
	}
	l, ok := arabicLetters[r]
	return ok && l.forms == 4
}

// joinsBackward reports whether r connects to the letter before it.
func joinsBackward(r rune) bool {
	if r == tatweel || r == zwj {
		return true
	}
	l, ok := arabicLetters[r]
	return ok && l.forms >= 2
}

// transparent marks (harakat) sit on a letter without breaking its joins.
func transparent(r rune) bool { return r >= 0x600 && r <= 0x6FF && unicode.Is(unicode.Mn, r) }

// shapeArabic replaces Arabic letters by their contextual forms.
func shapeArabic(rs []rune) []rune {
	out := rs[:0:0]
	prevJoins := false // the letter before (marks skipped) joins forward
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if transparent(r) {
			out = append(out, r)
			continue
		}
		l, ok := arabicLetters[r]
		if !ok {
			out = append(out, r)
			prevJoins = r == tatweel || r == zwj
			continue
		}
		joinPrev := prevJoins && l.forms >= 2
		next := rune(0)
		for j := i + 1; j < len(rs); j++ {
			if !transparent(rs[j]) {
				next = rs[j]
				break
			}
		}
		if lig, ok := lamAlef[next]; r == 0x0644 && ok && i+1 < len(rs) && rs[i+1] == next {
			if joinPrev {
				lig++
			}
			out = append(out, lig)
			i++
			prevJoins = false
			continue
		}
		joinNext := l.forms == 4 && joinsBackward(next)
		form := l.iso
		switch {
		case joinPrev && joinNext:
			form += 3
		case joinPrev:
			form++
		case joinNext:
			form += 2
		}
		out = append(out, form)
		prevJoins = joinsForward(r)
	}
	return out
}

// reorderDevanagari moves each vowel sign i before its consonant cluster
// (consonant, nukta, virama + consonant …), where it is drawn.
func reorderDevanagari(rs []rune) []rune {
	consonant := func(r rune) bool { return (r >= 0x915 && r <= 0x939) || (r >= 0x958 && r <= 0x95F) }
	for i, r := range rs {
		if r != devaI {
			continue
		}
		j := i - 1
		if j >= 0 && rs[j] == 0x93C { // nukta
			j--
		}
		if j < 0 || !consonant(rs[j]) {
			continue
		}
		for j >= 2 && rs[j-1] == 0x94D && consonant(rs[j-2]) {
			j -= 2
		}
		copy(rs[j+1:i+1], rs[j:i])
		rs[j] = devaI
	}
	return rs
}

type bidiClass uint8

const (
	bidiN   bidiClass = iota // neutral: spaces, punctuation, symbols
	bidiL                    // left-to-right letter
	bidiR                    // right-to-left letter
	bidiEN                   // European digit
	bidiAN                   // Arabic-Indic digit
	bidiNSM                  // combining mark
)

func bidiClassOf(r rune) bidiClass {
	switch {
	case r >= '0' && r <= '9':
		return bidiEN
	case r >= 0x660 && r <= 0x669, r >= 0x6F0 && r <= 0x6F9:
		return bidiAN
	case unicode.In(r, unicode.Mn, unicode.Me):
		return bidiNSM
	case isRTL(r):
		return bidiR
	case unicode.IsLetter(r) || unicode.Is(unicode.Mc, r):
		return bidiL
	}
	return bidiN
}

// bidiReorder returns rs in visual order (see Visual).
func bidiReorder(rs []rune) []rune {
	cls := make([]bidiClass, len(rs))
	base := -1 // paragraph level: 0 left to right, 1 right to left
	for i, r := range rs {
		cls[i] = bidiClassOf(r)
		if base < 0 && cls[i] == bidiL {
			base = 0
		} else if base < 0 && cls[i] == bidiR {
			base = 1
		}
	}
	base = max(base, 0)
	// W1, W2, W7: marks take their base's class; digits after a
	// left-to-right letter (or at the start of a left-to-right paragraph)
	// are left to right; other digits count as right to left (N1).
	strong := bidiL
	if base == 1 {
		strong = bidiR
	}
	prev := bidiN
	for i, c := range cls {
		switch c {
		case bidiNSM:
			cls[i] = prev
		case bidiL, bidiR:
			strong = c
		case bidiEN:
			if strong == bidiL {
				cls[i] = bidiL
			}
		}
		prev = cls[i]
	}
	// N1, N2: neutrals between two of one direction take it; others take
	// the paragraph's. Digits left as EN/AN count as right to left.
	dir := func(c bidiClass) bidiClass {
		if c == bidiEN || c == bidiAN {
			return bidiR
		}
		return c
	}
	sos := bidiL
	if base == 1 {
		sos = bidiR
	}
	for i := 0; i < len(cls); {
		if cls[i] != bidiN {
			i++
			continue
		}
		j := i
		for j < len(cls) && cls[j] == bidiN {
			j++
		}
		before, after := sos, sos
		if i > 0 {
			before = dir(cls[i-1])
		}
		if j < len(cls) {
			after = dir(cls[j])
		}
		c := sos
		if before == after {
			c = before
		}
		for k := i; k < j; k++ {
			cls[k] = c
		}
		i = j
	}
	// I1, I2: levels.
	levels := make([]int, len(rs))
	maxLevel := 0
	for i, c := range cls {
		l := base
		switch {
		case base == 0 && c == bidiR:
			l = 1
		case base == 0 && (c == bidiEN || c == bidiAN):
			l = 2
		case base == 1 && (c == bidiL || c == bidiEN || c == bidiAN):
			l = 2
		}
		levels[i] = l
		maxLevel = max(maxLevel, l)
	}
	// L2 by cluster (a base and the marks after it move together), L4.
	type cluster struct{ from, to, level int }
	var cs []cluster
	for i := range rs {
		if i > 0 && unicode.In(rs[i], unicode.Mn, unicode.Me) && levels[i] == levels[i-1] {
			cs[len(cs)-1].to = i + 1
			continue
		}
		cs = append(cs, cluster{i, i + 1, levels[i]})
	}
	for lvl := maxLevel; lvl >= 1; lvl-- {
		for i := 0; i < len(cs); {
			if cs[i].level < lvl {
				i++
				continue
			}
			j := i
			for j < len(cs) && cs[j].level >= lvl {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				cs[a], cs[b] = cs[b], cs[a]
			}
			i = j
		}
	}
	out := make([]rune, 0, len(rs))
	for _, c := range cs {
		for k := c.from; k < c.to; k++ {
			r := rs[k]
			if c.level%2 == 1 {
				r = mirror(r)
			}
			out = append(out, r)
		}
	}
	return out
}

func mirror(r rune) rune {
	switch r {
	case '(':
		return ')'
	case ')':
		return '('
	case '[':
		return ']'
	case ']':
		return '['
	case '{':
		return '}'
	case '}':
		return '{'
	case '<':
		return '>'
	case '>':
		return '<'
	case '«':
		return '»'
	case '»':
		return '«'
	}
	return r
}
