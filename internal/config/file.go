package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// loadFile applies the YAML file at path to cfg.
func loadFile(cfg *Config, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := applyYAML(cfg, data); err != nil {
		return fmt.Errorf("config: file %s: %w", path, err)
	}
	return nil
}

// applyYAML applies a flat YAML mapping of option keys (data_dir) to
// scalars. Values are taken as written, so account_id: 000000000000 keeps
// its zeros and durations use Go syntax.
func applyYAML(cfg *Config, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // only comments or "~"
	}
	if root.Kind != yaml.MappingNode {
		return errors.New("top level must be a mapping of settings like data_dir: /var/lib/freshet")
	}

	byKey := make(map[string]*option, len(options))
	for i := range options {
		byKey[options[i].key()] = &options[i]
	}
	seen := make(map[string]bool)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		o, ok := byKey[key]
		if !ok {
			o, ok = byKey[strings.ReplaceAll(key, "-", "_")]
			if ok && o.inFile() {
				return fmt.Errorf("line %d: unknown key %q (did you mean %q?)", k.Line, key, o.key())
			}
			return fmt.Errorf("line %d: unknown key %q", k.Line, key)
		}
		if !o.inFile() {
			return fmt.Errorf("line %d: key %q is not allowed in the file (use %s)", k.Line, key, o.env())
		}
		if seen[key] {
			return fmt.Errorf("line %d: key %q set twice", k.Line, key)
		}
		seen[key] = true
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return fmt.Errorf("line %d: %s must have a single value", v.Line, key)
		}
		if err := o.set(cfg, v.Value); err != nil {
			return fmt.Errorf("line %d: %s: %w", v.Line, key, err)
		}
	}
	return nil
}
