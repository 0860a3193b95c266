package awsjson

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/freshet/freshet/internal/protocol/shape"
)

// coralPackage is the Java package of Kinesis's model classes, which AWS
// shows for a structure inside a value it quotes (a too-long list of
// records, say).
const coralPackage = "com.amazonaws.kinesis.v20131202"

// plan is what validation derives once from a shape: names as messages
// show them, the order AWS checks members in, compiled patterns and the
// constraint texts.
type plan struct {
	sh   *shape.Shape
	kind shape.Kind

	fields []field // structure members, model order
	order  []int   // fields indexes in AWS's order (see order.go)

	elem *plan // list member, map value
	key  *plan // map key

	match    func(string) bool // the pattern, anchored; nil without one
	hasRules bool              // a constraint applies to the value itself
	rules    string            // "[rule, rule]": the constraints as AWS lists them for an element
	javaName string            // structure class name for rendered values
	typeName string            // Java type in SerializationException texts
}

type field struct {
	name  string // wire name
	camel string // name in validation messages
	req   bool
	p     *plan
}

var plans sync.Map // *shape.Shape → *plan

// planFor returns the (cached) plan of s.
func planFor(s *shape.Shape) *plan {
	if p, ok := plans.Load(s); ok {
		return p.(*plan)
	}
	p := buildPlan(s, map[*shape.Shape]*plan{})
	actual, _ := plans.LoadOrStore(s, p)
	return actual.(*plan)
}

func buildPlan(s *shape.Shape, seen map[*shape.Shape]*plan) *plan {
	if p, ok := seen[s]; ok {
		return p
	}
	p := &plan{sh: s, kind: s.Kind}
	seen[s] = p
	switch s.Kind {
	case shape.Structure:
		camels := make([]string, len(s.Members))
		p.fields = make([]field, len(s.Members))
		for i, m := range s.Members {
			camels[i] = lowerFirst(m.Name)
			p.fields[i] = field{name: m.Name, camel: camels[i], req: m.Required, p: buildPlan(m.Shape, seen)}
		}
		p.order = hashMapOrder(camels)
		p.javaName = coralPackage + "." + s.Name
	case shape.List:
		p.elem = buildPlan(s.Member, seen)
	case shape.Map:
		p.key = buildPlan(s.Key, seen)
		p.elem = buildPlan(s.Value, seen)
	}
	p.match = matcher(s)
	p.hasRules = s.HasMin || s.HasMax || s.Pattern != "" || len(s.Enum) > 0
	p.rules = rulesText(s)
	p.typeName = typeNames[s.Kind]
	return p
}

var typeNames = map[shape.Kind]string{
	shape.Integer: "Integer", shape.Long: "Long", shape.Double: "Double", shape.Float: "Float",
	shape.Boolean: "Boolean", shape.String: "String", shape.Blob: "Blob", shape.Timestamp: "Timestamp",
}

// Constraint texts of validation messages.
func ruleMaxLen(n int64) string { return "Member must have length less than or equal to " + itoa(n) }
func ruleMinLen(n int64) string { return "Member must have length greater than or equal to " + itoa(n) }
func ruleMaxVal(n int64) string { return "Member must have value less than or equal to " + itoa(n) }
func ruleMinVal(n int64) string { return "Member must have value greater than or equal to " + itoa(n) }
func rulePattern(p string) string {
	return "Member must satisfy regular expression pattern: " + p
}
func ruleEnum(e []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(e, ", ") + "]"
}

const ruleNotNull = "Member must not be null"

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func isNumeric(k shape.Kind) bool {
	return k == shape.Integer || k == shape.Long || k == shape.Double || k == shape.Float
}

// rulesText lists a shape's constraints the way AWS does when it reports
// them for the elements of a list or the keys or values of a map:
// "[Member must have length less than or equal to 128, Member must have
// length greater than or equal to 1]" (maximum first, as kinesalite
// records).
func rulesText(s *shape.Shape) string {
	var r []string
	if isNumeric(s.Kind) {
		if s.HasMax {
			r = append(r, ruleMaxVal(s.Max))
		}
		if s.HasMin {
			r = append(r, ruleMinVal(s.Min))
		}
	} else {
		if s.HasMax {
			r = append(r, ruleMaxLen(s.Max))
		}
		if s.HasMin {
			r = append(r, ruleMinLen(s.Min))
		}
	}
	if s.Pattern != "" {
		r = append(r, rulePattern(s.Pattern))
	}
	if len(s.Enum) > 0 {
		r = append(r, ruleEnum(s.Enum))
	}
	return "[" + strings.Join(r, ", ") + "]"
}

// Patterns of AWS models that are worth matching without regexp: a
// character class repeated, and a decimal number without leading zeros.
var (
	classPlus  = regexp.MustCompile(`^\[([^\]\\]+)\]\+$`)
	decimalMax = regexp.MustCompile(`^0\|\(\[1-9\]\\d\{0,(\d+)\}\)$`)
)

// matcher returns a full-match test for the pattern of s, nil for none.
func matcher(s *shape.Shape) func(string) bool {
	pattern := s.Pattern
	if pattern == "" {
		return nil
	}
	if m := classPlus.FindStringSubmatch(pattern); m != nil {
		if set, ok := charClass(m[1]); ok {
			return func(s string) bool {
				if s == "" {
					return false
				}
				for i := 0; i < len(s); i++ {
					if !set[s[i]] {
						return false
					}
				}
				return true
			}
		}
	}
	if m := decimalMax.FindStringSubmatch(pattern); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return func(s string) bool { return decimalDigits(s, n+1) }
		}
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil // a pattern RE2 cannot run (Java's lookarounds, say) goes unchecked
	}
	return re.MatchString
}

// charClass reads an ASCII character class body such as "a-zA-Z0-9_.-".
func charClass(body string) (set [256]bool, ok bool) {
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c >= 0x80 || c == '^' && i == 0 || c == '[' {
			return set, false
		}
		if i+2 < len(body) && body[i+1] == '-' {
			hi := body[i+2]
			if hi < c || hi >= 0x80 {
				return set, false
			}
			for x := int(c); x <= int(hi); x++ {
				set[x] = true
			}
			i += 2
			continue
		}
		set[c] = true
	}
	return set, true
}

// decimalDigits matches 0|([1-9]\d{0,max-1}).
func decimalDigits(s string, max int) bool {
	if s == "0" {
		return true
	}
	if s == "" || len(s) > max || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
