package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxBytes is the largest configuration Load accepts. A real file is a few
// kilobytes; even a names map of every agent of a large site stays far
// below this. The limit keeps a Lambda cold start (10 s of init) safe from a
// runaway or hostile file.
const MaxBytes = 2 << 20

// decode parses data strictly into a Config. Every problem carries a path
// (digests[0].concurrency), not yaml's bare "line N".
//
// yaml.v3 checks a mapping's keys for duplicates pairwise, which makes a
// large names map quadratic (80k agents: 35 s). So the document is parsed
// to a node tree first (linear), duplicate keys are found with a hash set,
// and the map-typed fields (NameMap) decode themselves without the check.
func decode(data []byte) (Config, Problems) {
	var c Config
	if len(data) > MaxBytes {
		return c, Problems{{Path: "(file)", Message: fmt.Sprintf("%d bytes; the limit is %d (%d KiB)", len(data), MaxBytes, MaxBytes>>10)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return c, Problems{{Path: "(file)", Message: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		return c, Problems{{Path: "(file)", Message: "empty configuration"}}
	}
	idx := &nodeIndex{lines: map[int][]indexed{}}
	idx.walk(&root, "")
	if len(idx.dups) > 0 {
		return c, idx.dups
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&c)
	if err == nil {
		return c, nil
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		ps := make(Problems, 0, len(te.Errors))
		for _, e := range te.Errors {
			ps = append(ps, idx.problem(e))
		}
		return c, ps
	}
	if errors.Is(err, io.EOF) {
		return c, Problems{{Path: "(file)", Message: "empty configuration"}}
	}
	return c, Problems{{Path: "(file)", Message: strings.TrimPrefix(err.Error(), "yaml: ")}}
}

// indexed is one key or sequence item, for turning "line N" into a path.
type indexed struct {
	path, key, value, tag string
}

// nodeIndex maps source lines to the paths on them, and collects duplicate keys.
type nodeIndex struct {
	lines map[int][]indexed
	dups  Problems
}

func (x *nodeIndex) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			x.walk(c, path)
		}
	case yaml.AliasNode:
		// The alias's target is walked where it is defined.
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			x.lines[c.Line] = append(x.lines[c.Line], indexed{path: p, value: c.Value, tag: c.ShortTag()})
			x.walk(c, p)
		}
	case yaml.MappingNode:
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinPath(path, k.Value)
			if first, dup := seen[k.Value]; dup && k.Value != "<<" {
				x.dups = append(x.dups, Problem{Path: p, Message: fmt.Sprintf("duplicate key (lines %d and %d)", first, k.Line)})
			}
			seen[k.Value] = k.Line
			x.lines[k.Line] = append(x.lines[k.Line], indexed{path: p, key: k.Value, value: v.Value, tag: v.ShortTag()})
			if v.Line != k.Line && v.Kind == yaml.ScalarNode {
				x.lines[v.Line] = append(x.lines[v.Line], indexed{path: p, value: v.Value, tag: v.ShortTag()})
			}
			x.walk(v, p)
		}
	}
}

var (
	lineRe    = regexp.MustCompile(`^line (\d+): (.*)$`)
	backtickR = regexp.MustCompile("`([^`]*)`")
	fieldRe   = regexp.MustCompile(`^field (\S+) not found in type`)
)

// problem turns one of yaml's "line N: …" messages into a Problem at the
// path of the node it is about.
func (x *nodeIndex) problem(msg string) Problem {
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return Problem{Path: "(file)", Message: msg}
	}
	line, _ := strconv.Atoi(m[1])
	rest := m[2]
	cands := x.lines[line]
	if len(cands) == 0 {
		return Problem{Path: "(file)", Message: msg}
	}
	if f := fieldRe.FindStringSubmatch(rest); f != nil {
		for _, c := range cands {
			if c.key == f[1] {
				return Problem{Path: c.path, Message: fmt.Sprintf("unknown key (line %d)", line)}
			}
		}
	}
	// The node is the one whose value (or key) the message quotes, else
	// the one of the kind it names (!!seq, !!map). Several on one line (a
	// flow mapping) leave their common parent.
	var match []string
	if v := backtickR.FindStringSubmatch(rest); v != nil {
		want, prefix := v[1], strings.HasSuffix(v[1], "...")
		want = strings.TrimSuffix(want, "...")
		for _, c := range cands {
			if c.value == want || (c.key != "" && c.key == want) || (prefix && strings.HasPrefix(c.value, want)) {
				match = append(match, c.path)
			}
		}
	} else {
		for _, c := range cands {
			if (c.tag == "!!seq" || c.tag == "!!map") && strings.Contains(rest, c.tag) {
				match = append(match, c.path)
			}
		}
	}
	if len(match) == 0 {
		match = append(match, cands[0].path)
	}
	return Problem{Path: commonParent(match), Message: fmt.Sprintf("%s (line %d)", rest, line)}
}

// commonParent is the longest path every one of paths is at or under.
func commonParent(paths []string) string {
	p := paths[0]
	for _, q := range paths[1:] {
		for p != "" && q != p && !strings.HasPrefix(q, p+".") && !strings.HasPrefix(q, p+"[") {
			i := strings.LastIndexAny(p, ".[")
			if i < 0 {
				return "(file)"
			}
			p = p[:i]
		}
	}
	return p
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func joinPath(path, key string) string {
	if !plainKey.MatchString(key) {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// NameMap is a string-to-string mapping (names.agents, mail.tags). It
// decodes itself so that yaml.v3's quadratic duplicate-key check is never
// run on it (decode has already checked duplicates in linear time).
type NameMap map[string]string

// UnmarshalYAML reads a mapping of scalars.
func (m *NameMap) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		*m = nil
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a mapping of id: name", n.Line)}}
	}
	out := make(NameMap, len(n.Content)/2)
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			errs = append(errs, fmt.Sprintf("line %d: `%s`: want id: name, with a plain text name", k.Line, k.Value))
			continue
		}
		out[k.Value] = v.Value
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	*m = out
	return nil
}
