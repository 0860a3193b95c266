package kinesisapi

import (
	"os"
	"regexp"
	"sort"
	"testing"
)

// TestCoverageDoc keeps docs/coverage.md true: every operation of the model
// is listed once, as built exactly when Register serves it.
func TestCoverageDoc(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/coverage.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (\w+) \| (built|not built) \|`)
	listed := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		if _, dup := listed[m[1]]; dup {
			t.Errorf("%s listed twice", m[1])
		}
		listed[m[1]] = m[2]
	}
	built := map[string]bool{}
	for _, op := range Built() {
		built[op] = true
		if Operations[op] == nil {
			t.Errorf("Built() names %s, which the model does not have", op)
		}
	}
	var names []string
	for op := range Operations {
		names = append(names, op)
	}
	sort.Strings(names)
	if len(names) != 39 {
		t.Errorf("the model has %d operations, the issue expects 39", len(names))
	}
	for _, op := range names {
		want := "not built"
		if built[op] {
			want = "built"
		}
		if listed[op] != want {
			t.Errorf("docs/coverage.md says %s is %q, the code says %q", op, listed[op], want)
		}
	}
	if len(listed) != len(names) {
		t.Errorf("docs/coverage.md lists %d operations, the model has %d", len(listed), len(names))
	}
}
