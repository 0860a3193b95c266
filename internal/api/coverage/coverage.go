// Package coverage checks docs/coverage.md against a service's model and
// its Register: every operation listed once in the service's section, as
// built exactly when the code serves it. The api packages' tests call it.
//
// It imports the standard library only.
package coverage

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var row = regexp.MustCompile("(?m)^\\| `?(\\w+)`? \\| (built|not built) \\|")

// Check reads the section of docPath whose heading starts with "## "+
// heading and compares its table with ops (every operation of the model)
// and built (what Register serves).
func Check(t *testing.T, docPath, heading string, ops []string, built []string) {
	t.Helper()
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "\n## "+heading)
	if start < 0 {
		t.Fatalf("%s has no section %q", docPath, heading)
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	listed := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		if _, dup := listed[m[1]]; dup {
			t.Errorf("%s listed twice", m[1])
		}
		listed[m[1]] = m[2]
	}
	isBuilt := map[string]bool{}
	model := map[string]bool{}
	for _, op := range ops {
		model[op] = true
	}
	for _, op := range built {
		isBuilt[op] = true
		if !model[op] {
			t.Errorf("Built() names %s, which the model does not have", op)
		}
	}
	sort.Strings(ops)
	explicit := len(listed) > 0 && len(listed) == len(ops)
	for _, op := range ops {
		want := "not built"
		if isBuilt[op] {
			want = "built"
		}
		got, ok := listed[op]
		if !ok && !explicit && want == "not built" {
			continue // a section may list only the built operations
		}
		if got != want {
			t.Errorf("docs/coverage.md (%s) says %s is %q, the code says %q", heading, op, got, want)
		}
	}
	for op := range listed {
		if !model[op] {
			t.Errorf("docs/coverage.md (%s) lists %s, which the model does not have", heading, op)
		}
	}
}
