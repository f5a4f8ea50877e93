package main

import (
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"reportmailer/internal/notifytest"
)

// withStandIns writes a copy of the configuration at path into dir with
// every alert receiver pointed at a local stand-in of its kind (secrets
// replaced by values), so that a local run posts nothing to the internet.
// Without receivers it returns path unchanged and no stand-ins.
func withStandIns(path, dir string) (string, map[string]*notifytest.StandIn, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return path, nil, nil // the function's own loader reports it
	}
	receivers := child(child(doc.Content[0], "alerts"), "receivers")
	if receivers == nil || receivers.Kind != yaml.SequenceNode || len(receivers.Content) == 0 {
		return path, nil, nil
	}
	standIns := map[string]*notifytest.StandIn{}
	for _, r := range receivers.Content {
		name := child(r, "name")
		for _, kind := range []string{"slack", "teams", "webhook", "pagerduty"} {
			spec := child(r, kind)
			if spec == nil || spec.Kind != yaml.MappingNode || name == nil {
				continue
			}
			si := notifytest.Start(kind)
			standIns[name.Value] = si
			set(spec, "url", si.URL+"/"+name.Value)
			drop(spec, "urlSecret")
			if kind == "pagerduty" && child(spec, "routingKeySecret") != nil {
				drop(spec, "routingKeySecret")
				set(spec, "routingKey", "LOCAL-ROUTING-KEY")
			}
			fmt.Printf("receiver %s (%s) → local stand-in %s\n", name.Value, kind, si.URL)
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return "", nil, err
	}
	copyPath := filepath.Join(dir, "config-with-stand-ins.yaml")
	return copyPath, standIns, os.WriteFile(copyPath, out, 0o644)
}

// child is a mapping node's value for key (nil when absent).
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func set(n *yaml.Node, key, value string) {
	if v := child(n, key); v != nil {
		v.Kind, v.Tag, v.Value, v.Style = yaml.ScalarNode, "!!str", value, 0
		return
	}
	n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

func drop(n *yaml.Node, key string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			return
		}
	}
}
