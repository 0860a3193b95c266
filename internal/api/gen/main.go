// Command gen turns a botocore service model into Go: one struct per
// structure shape (types_gen.go) and the shape tables the wire layer
// validates against (shapes_gen.go).
//
//	go run ./internal/api/gen -model PATH/service-2.json.gz -pkg kinesisapi -out internal/api/kinesisapi
//
// With no -model it looks the model up in the botocore that python3 imports.
// With -ops (a comma-separated list of operations) it generates only the
// shapes those operations' inputs, outputs and errors reach; the Operations
// table still names every operation of the model, the others without
// shapes, so a Register can answer them as not built.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

type model struct {
	Metadata   map[string]any       `json:"metadata"`
	Operations map[string]operation `json:"operations"`
	Shapes     map[string]*shapeDef `json:"shapes"`
}

type operation struct {
	Name   string `json:"name"`
	Input  *ref   `json:"input"`
	Output *ref   `json:"output"`
	Errors []ref  `json:"errors"`
}

type ref struct {
	Shape string `json:"shape"`
}

type shapeDef struct {
	Type      string          `json:"type"`
	Required  []string        `json:"required"`
	Members   json.RawMessage `json:"members"`
	Member    *ref            `json:"member"`
	Key       *ref            `json:"key"`
	Value     *ref            `json:"value"`
	Min       *float64        `json:"min"`
	Max       *float64        `json:"max"`
	Pattern   string          `json:"pattern"`
	Enum      []string        `json:"enum"`
	Exception bool            `json:"exception"`
	Event     bool            `json:"event"`
	Stream    bool            `json:"eventstream"`

	members []memberDef
}

type memberDef struct {
	Name  string
	Shape string
}

func main() {
	modelPath := flag.String("model", "", "botocore service-2.json(.gz); default: looked up under -service")
	service := flag.String("service", "kinesis/2013-12-02", "botocore data folder of the service")
	pkg := flag.String("pkg", "kinesisapi", "Go package name")
	out := flag.String("out", ".", "output folder")
	ops := flag.String("ops", "", "comma-separated operations to generate shapes for; default: all")
	flag.Parse()
	if *modelPath == "" {
		p, err := botocorePath(*service)
		if err != nil {
			log.Fatal(err)
		}
		*modelPath = p
	}
	m, err := load(*modelPath)
	if err != nil {
		log.Fatal(err)
	}
	selected, err := selectOps(m, *ops)
	if err != nil {
		log.Fatal(err)
	}
	types, shapes := generate(m, *pkg, filepath.Base(filepath.Dir(*modelPath)), selected)
	for name, src := range map[string][]byte{"types_gen.go": types, "shapes_gen.go": shapes} {
		formatted, err := format.Source(src)
		if err != nil {
			log.Fatalf("format %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(*out, name), formatted, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func botocorePath(service string) (string, error) {
	outb, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", fmt.Errorf("find botocore: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(outb)), "data", service, "service-2.json.gz"), nil
}

func load(path string) (*model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = gz
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var m model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	for _, s := range m.Shapes {
		if len(s.Members) == 0 {
			continue
		}
		// Keep the model's member order: decode the members object token by token.
		dec := json.NewDecoder(bytes.NewReader(s.Members))
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			var r ref
			if err := dec.Decode(&r); err != nil {
				return nil, err
			}
			s.members = append(s.members, memberDef{Name: tok.(string), Shape: r.Shape})
		}
	}
	return &m, nil
}

// selectOps parses -ops: nil (every operation) when list is empty, else the
// named operations, each of which the model must have.
func selectOps(m *model, list string) (map[string]bool, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	sel := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if _, ok := m.Operations[name]; !ok {
			return nil, fmt.Errorf("-ops: the model has no operation %q", name)
		}
		sel[name] = true
	}
	return sel, nil
}

// reachable returns the shapes the operations use, sorted by name. With a
// selection (sel non-nil) only the selected operations count, and their
// errors' shapes are included too.
func reachable(m *model, sel map[string]bool) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(name string) {
		if name == "" || seen[name] {
			return
		}
		seen[name] = true
		s := m.Shapes[name]
		for _, mem := range s.members {
			walk(mem.Shape)
		}
		for _, r := range []*ref{s.Member, s.Key, s.Value} {
			if r != nil {
				walk(r.Shape)
			}
		}
	}
	for name, op := range m.Operations {
		if sel != nil && !sel[name] {
			continue
		}
		if op.Input != nil {
			walk(op.Input.Shape)
		}
		if op.Output != nil {
			walk(op.Output.Shape)
		}
		if sel != nil {
			for _, e := range op.Errors {
				walk(e.Shape)
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func generate(m *model, pkg, version string, sel map[string]bool) (types, shapes []byte) {
	names := reachable(m, sel)
	var t, s bytes.Buffer
	fmt.Fprintf(&t, "// Code generated by internal/api/gen from botocore's %s model; DO NOT EDIT.\n\npackage %s\n\nimport \"time\"\n\nvar _ time.Time\n\n", version, pkg)
	fmt.Fprintf(&s, "// Code generated by internal/api/gen from botocore's %s model; DO NOT EDIT.\n\npackage %s\n\nimport \"github.com/freshet/freshet/internal/protocol/shape\"\n\n", version, pkg)

	for _, name := range names {
		sd := m.Shapes[name]
		if sd.Type != "structure" || sd.Stream {
			continue
		}
		required := map[string]bool{}
		for _, r := range sd.Required {
			required[r] = true
		}
		fmt.Fprintf(&t, "// %s is the %s shape.\ntype %s struct {\n", name, name, name)
		for _, mem := range sd.members {
			ms := m.Shapes[mem.Shape]
			if ms.Stream {
				continue // event streams are served by hand
			}
			gt := goType(m, mem.Shape, required[mem.Name])
			tag := mem.Name
			if !required[mem.Name] {
				tag += ",omitempty"
			}
			fmt.Fprintf(&t, "\t%s %s `json:%q`\n", exportName(mem.Name), gt, tag)
		}
		t.WriteString("}\n\n")
	}

	back := backEdges(m, names)
	var deferred []string // assignments that close reference cycles, made in init
	ref := func(from, path, to string) string {
		if back[edge{from, path}] {
			deferred = append(deferred, fmt.Sprintf("\t%s.%s = %s\n", shapeVar(from), path, shapeVar(to)))
			return "nil"
		}
		return shapeVar(to)
	}
	for _, name := range names {
		sd := m.Shapes[name]
		fmt.Fprintf(&s, "var %s = &shape.Shape{Name: %q, Kind: shape.%s", shapeVar(name), name, kindName(sd.Type))
		if sd.Min != nil {
			fmt.Fprintf(&s, ", HasMin: true, Min: %d", int64(*sd.Min))
		}
		if sd.Max != nil {
			fmt.Fprintf(&s, ", HasMax: true, Max: %d", int64(*sd.Max))
		}
		if sd.Pattern != "" {
			if _, err := regexp.Compile(sd.Pattern); err == nil {
				fmt.Fprintf(&s, ", Pattern: %q", sd.Pattern)
			}
		}
		if len(sd.Enum) > 0 {
			fmt.Fprintf(&s, ", Enum: %#v", sd.Enum)
		}
		if sd.Member != nil {
			fmt.Fprintf(&s, ", Member: %s", ref(name, "Member", sd.Member.Shape))
		}
		if sd.Key != nil {
			fmt.Fprintf(&s, ", Key: %s, Value: %s", ref(name, "Key", sd.Key.Shape), ref(name, "Value", sd.Value.Shape))
		}
		if len(sd.members) > 0 {
			required := map[string]bool{}
			for _, r := range sd.Required {
				required[r] = true
			}
			s.WriteString(", Members: []shape.Member{\n")
			for i, mem := range sd.members {
				target := ref(name, fmt.Sprintf("Members[%d].Shape", i), mem.Shape)
				fmt.Fprintf(&s, "\t{Name: %q, Shape: %s, Required: %v},\n", mem.Name, target, required[mem.Name])
			}
			s.WriteString("}")
		}
		s.WriteString("}\n")
	}
	if len(deferred) > 0 {
		s.WriteString("\n// Recursive shapes: these references close cycles, which Go's package\n// initialisation cannot, so they are made here.\nfunc init() {\n")
		for _, d := range deferred {
			s.WriteString(d)
		}
		s.WriteString("}\n")
	}

	opNames := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		opNames = append(opNames, n)
	}
	sort.Strings(opNames)
	s.WriteString("\n// Operations lists every operation of the model, by name.\nvar Operations = map[string]*shape.Operation{\n")
	for _, n := range opNames {
		op := m.Operations[n]
		in, outp := "nil", "nil"
		if sel != nil && !sel[n] {
			fmt.Fprintf(&s, "\t%q: {Name: %q},\n", n, n)
			continue
		}
		if op.Input != nil {
			in = shapeVar(op.Input.Shape)
		}
		if op.Output != nil {
			outp = shapeVar(op.Output.Shape)
		}
		fmt.Fprintf(&s, "\t%q: {Name: %q, Input: %s, Output: %s},\n", n, n, in, outp)
	}
	s.WriteString("}\n")
	if tp, ok := m.Metadata["targetPrefix"].(string); ok {
		fmt.Fprintf(&s, "\n// TargetPrefix is the X-Amz-Target prefix of the service.\nconst TargetPrefix = %q\n", tp)
	}
	return t.Bytes(), s.Bytes()
}

// edge is one shape reference: the referring shape and the field that
// holds the reference ("Member", "Key", "Value", "Members[i].Shape").
type edge struct{ from, path string }

// backEdges finds the references that close a cycle in a depth-first walk
// over names in order; an acyclic model (Kinesis, Firehose) has none.
func backEdges(m *model, names []string) map[edge]bool {
	const (
		unseen = iota
		onStack
		done
	)
	state := map[string]int{}
	back := map[edge]bool{}
	var visit func(string)
	visit = func(name string) {
		state[name] = onStack
		sd := m.Shapes[name]
		var out []edge
		var to []string
		if sd.Member != nil {
			out, to = append(out, edge{name, "Member"}), append(to, sd.Member.Shape)
		}
		if sd.Key != nil {
			out, to = append(out, edge{name, "Key"}, edge{name, "Value"}), append(to, sd.Key.Shape, sd.Value.Shape)
		}
		for i, mem := range sd.members {
			out, to = append(out, edge{name, fmt.Sprintf("Members[%d].Shape", i)}), append(to, mem.Shape)
		}
		for i, e := range out {
			switch state[to[i]] {
			case onStack:
				back[e] = true
			case unseen:
				visit(to[i])
			}
		}
		state[name] = done
	}
	for _, n := range names {
		if state[n] == unseen {
			visit(n)
		}
	}
	return back
}

func shapeVar(name string) string { return "shape" + exportName(name) }

func exportName(n string) string {
	if n == "" {
		return n
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

func kindName(t string) string {
	switch t {
	case "structure":
		return "Structure"
	case "list":
		return "List"
	case "map":
		return "Map"
	case "string":
		return "String"
	case "integer":
		return "Integer"
	case "long":
		return "Long"
	case "boolean":
		return "Boolean"
	case "blob":
		return "Blob"
	case "timestamp":
		return "Timestamp"
	case "double":
		return "Double"
	case "float":
		return "Float"
	}
	panic("unknown shape type " + t)
}

// goType maps a member's shape to a Go type. Optional scalars and structures
// are pointers so "absent" differs from "zero"; lists and maps are slices and
// maps either way.
func goType(m *model, name string, required bool) string {
	sd := m.Shapes[name]
	ptr := "*"
	if required {
		ptr = ""
	}
	switch sd.Type {
	case "structure":
		return ptr + name
	case "list":
		return "[]" + goType(m, sd.Member.Shape, true)
	case "map":
		return "map[" + goType(m, sd.Key.Shape, true) + "]" + goType(m, sd.Value.Shape, true)
	case "string":
		return ptr + "string"
	case "integer", "long":
		return ptr + "int64"
	case "boolean":
		return ptr + "bool"
	case "blob":
		return "[]byte"
	case "timestamp":
		return ptr + "time.Time"
	case "double", "float":
		return ptr + "float64"
	}
	panic("unknown shape type " + sd.Type)
}
