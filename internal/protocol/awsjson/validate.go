package awsjson

import (
	"strconv"
	"strings"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/shape"
)

// maxViolations is how many violations AWS lists at most.
const maxViolations = 10

// Texts of AWS's front end, as kinesalite records them from Kinesis (the
// "an String" grammar is AWS's).
const (
	msgStartList    = "Start of list found where not expected"
	msgStartStruct  = "Start of structure or map found where not expected."
	msgExpectList   = "Expected list or null"
	msgExpectMap    = "Expected map or null"
	msgExpectStruct = "Expected null"
	classBoolean    = "class java.lang.Boolean"
	classString     = "class java.lang.String"
	classBigNumber  = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
	convertedTo     = " can not be converted to "
	toEpochMillis   = "milliseconds since epoch"
	listElemRule    = "Member must satisfy constraint: "
	mapKeysRule     = "Map keys must satisfy constraint: "
	mapValueRule    = "Map value must satisfy constraint: "
)

// Validate checks v, a parsed request body, against the input shape s as
// AWS's front end does, in its two steps:
//
//   - JSON types, in model order: the first value of the wrong type is a
//     SerializationException with AWS's text ("class java.lang.String can
//     not be converted to an Integer", "Expected list or null", ...), as is
//     a blob that is not base64 and a body that is not an object. Members
//     the shape does not know are ignored, and null is as good as absent.
//   - constraints: every violation (at most ten, as AWS lists) in one
//     ValidationException, "2 validation errors detected: Value null at
//     'records' failed to satisfy constraint: Member must not be null; ...",
//     in AWS's order (see order.go).
//
// A nil s accepts any object.
func Validate(v *Value, s *shape.Shape) error {
	if v.Kind() != Object {
		// Kinesis answers a body that is JSON but not an object with a
		// message-less SerializationException, like malformed JSON.
		return awserr.Serialization("")
	}
	if s == nil {
		return nil
	}
	p := planFor(s)
	if e := typeCheck(v, p); e != nil {
		return e
	}
	var c collector
	c.path = c.buf[:0]
	c.value(v, p)
	if len(c.msgs) == 0 {
		return nil
	}
	return awserr.ValidationError(c.msgs...)
}

// typeCheck is the first step of Validate: v (not null) must have the JSON
// type p's shape reads.
func typeCheck(v *Value, p *plan) *awserr.Error {
	switch p.kind {
	case shape.Structure:
		if e := containerType(v.kind, Object, msgExpectStruct); e != nil {
			return e
		}
		// Model order, whatever the document's: dynalite records that
		// {"Limit":true,"ExclusiveStartTableName":true} fails on the name.
		for i := range p.fields {
			m := v.Member(p.fields[i].name)
			if m.IsNull() {
				continue
			}
			if e := typeCheck(m, p.fields[i].p); e != nil {
				return e
			}
		}
	case shape.List, shape.Map:
		want, msg := Array, msgExpectList
		if p.kind == shape.Map {
			want, msg = Object, msgExpectMap
		}
		if e := containerType(v.kind, want, msg); e != nil {
			return e
		}
		for i := range v.kids {
			el := &v.kids[i]
			if el.kind == Null {
				continue
			}
			if e := typeCheck(el, p.elem); e != nil {
				return e
			}
		}
	default:
		return scalarType(v, p)
	}
	return nil
}

// containerType checks the JSON type of a structure, list or map.
func containerType(got, want Kind, scalarMsg string) *awserr.Error {
	switch {
	case got == want:
		return nil
	case got == Array:
		return awserr.Serialization(msgStartList)
	case got == Object:
		return awserr.Serialization(msgStartStruct)
	default:
		return awserr.Serialization(scalarMsg)
	}
}

// scalarType checks the JSON type of a scalar, and that a blob is base64.
func scalarType(v *Value, p *plan) *awserr.Error {
	switch v.kind {
	case Array:
		return awserr.Serialization(msgStartList)
	case Object:
		return awserr.Serialization(msgStartStruct)
	}
	article := "an "
	switch p.kind {
	case shape.String:
		if v.kind == String {
			return nil
		}
	case shape.Integer, shape.Long, shape.Double, shape.Float:
		if v.kind == Number {
			return nil
		}
	case shape.Boolean:
		if v.kind == Bool || v.kind == String && boolWord(v.s) >= 0 {
			return nil
		}
		if v.kind == String {
			return awserr.Serialization("'" + strings.ToUpper(v.s) + "'" + convertedTo + "an Boolean")
		}
	case shape.Blob:
		if v.kind == String {
			if _, msg := blobCheck(v.s); msg != "" {
				return awserr.Serialization(msg)
			}
			return nil
		}
		article = "a "
	case shape.Timestamp:
		switch v.kind {
		case Number:
			return nil
		case Bool:
			return awserr.Serialization(classBoolean + convertedTo + toEpochMillis)
		default:
			return awserr.Serialization(classString + convertedTo + toEpochMillis)
		}
	default:
		return nil // a kind this codec does not know: let it through
	}
	class := classBigNumber
	switch v.kind {
	case Bool:
		class = classBoolean
	case String:
		class = classString
	}
	return awserr.Serialization(class + convertedTo + article + p.typeName)
}

// boolWord reads the strings AWS accepts for a boolean: 1 true, 0 false,
// -1 neither.
func boolWord(s string) int {
	switch strings.ToLower(s) {
	case "true", "yes", "1":
		return 1
	case "false", "no", "0":
		return 0
	}
	return -1
}

// pathSeg is one step of the path of a value in validation messages,
// "records.1.member.data": a name, or a 1-based list position.
type pathSeg struct {
	name  string
	index int // when name is ""
}

// collector is the second step of Validate: it walks the value in AWS's
// order, keeping the path on a stack, and gathers violations.
type collector struct {
	msgs []string
	path []pathSeg
	buf  [16]pathSeg
}

func (c *collector) full() bool { return len(c.msgs) >= maxViolations }

func (c *collector) push(name string) { c.path = append(c.path, pathSeg{name: name}) }
func (c *collector) pushIndex(i int)  { c.path = append(c.path, pathSeg{index: i + 1}) }
func (c *collector) pop()             { c.path = c.path[:len(c.path)-1] }

func (c *collector) pathString() string {
	var b strings.Builder
	for i, s := range c.path {
		if i > 0 {
			b.WriteByte('.')
		}
		if s.name == "" {
			b.WriteString(strconv.Itoa(s.index))
			continue
		}
		b.WriteString(s.name)
	}
	return b.String()
}

// add records a violation of rule by v (nil for a missing value) of plan
// p, at the current path.
func (c *collector) add(v *Value, p *plan, rule string) {
	if c.full() {
		return
	}
	value := "null"
	if !v.IsNull() {
		value = awserr.Quote(render(v, p))
	}
	c.msgs = append(c.msgs, awserr.Constraint(value, c.pathString(), rule))
}

// addNull records a missing value at the current path.
func (c *collector) addNull(p *plan) { c.add(nil, p, ruleNotNull) }

// value checks v (not null) against p.
func (c *collector) value(v *Value, p *plan) {
	switch p.kind {
	case shape.Structure:
		c.structure(v, p)
	case shape.List:
		c.list(v, p)
	case shape.Map:
		c.mapValue(v, p)
	default:
		var broken [4]string
		for _, rule := range broken[:scalarRules(v, p, &broken)] {
			c.add(v, p, rule)
		}
	}
}

func (c *collector) structure(v *Value, p *plan) {
	for _, i := range p.order {
		if c.full() {
			return
		}
		f := &p.fields[i]
		m := v.Member(f.name)
		if m.IsNull() && !f.req {
			continue
		}
		c.push(f.camel)
		if m.IsNull() {
			c.addNull(f.p)
		} else {
			c.value(m, f.p)
		}
		c.pop()
	}
}

// sizeRules checks the number of elements or entries of a list or map.
func (c *collector) sizeRules(v *Value, p *plan, n int) {
	if p.sh.HasMin && int64(n) < p.sh.Min {
		c.add(v, p, ruleMinLen(p.sh.Min))
	}
	if p.sh.HasMax && int64(n) > p.sh.Max {
		c.add(v, p, ruleMaxLen(p.sh.Max))
	}
}

func (c *collector) list(v *Value, p *plan) {
	c.sizeRules(v, p, len(v.kids))
	e := p.elem
	for i := range v.kids {
		if c.full() {
			return
		}
		el := &v.kids[i]
		if !el.IsNull() && !isContainer(e.kind) {
			continue
		}
		c.pushIndex(i)
		c.push("member")
		if el.IsNull() {
			c.addNull(e)
		} else {
			c.value(el, e)
		}
		c.pop()
		c.pop()
	}
	// AWS checks scalar elements together and reports the list.
	if !isContainer(e.kind) && e.hasRules && anyBroken(v, e, nil) {
		c.add(v, p, listElemRule+e.rules)
	}
}

// anyBroken reports whether an element of v (those at idx, or all) breaks
// a rule of the scalar plan e.
func anyBroken(v *Value, e *plan, idx []int) bool {
	var broken [4]string
	if idx == nil {
		for i := range v.kids {
			if v.kids[i].kind != Null && scalarRules(&v.kids[i], e, &broken) > 0 {
				return true
			}
		}
		return false
	}
	for _, i := range idx {
		if v.kids[i].kind != Null && scalarRules(&v.kids[i], e, &broken) > 0 {
			return true
		}
	}
	return false
}

func (c *collector) mapValue(v *Value, p *plan) {
	order := mapOrder(v)
	c.sizeRules(v, p, len(order))
	if p.key.hasRules {
		var broken [4]string
		for _, i := range order {
			k := Value{kind: String, s: v.kids[i].key}
			if scalarRules(&k, p.key, &broken) > 0 {
				c.add(v, p, mapKeysRule+p.key.rules)
				break
			}
		}
	}
	// The value a repeated key keeps is its last.
	last := make([]int, len(order))
	for n, i := range order {
		last[n] = lastIndex(v, v.kids[i].key)
	}
	e := p.elem
	for _, i := range last {
		if c.full() {
			return
		}
		el := &v.kids[i]
		if !el.IsNull() && !isContainer(e.kind) {
			continue
		}
		c.push(el.key)
		c.push("member")
		if el.IsNull() {
			c.addNull(e)
		} else {
			c.value(el, e)
		}
		c.pop()
		c.pop()
	}
	if !isContainer(e.kind) && e.hasRules && anyBroken(v, e, last) {
		c.add(v, p, mapValueRule+e.rules)
	}
}

func isContainer(k shape.Kind) bool {
	return k == shape.Structure || k == shape.List || k == shape.Map
}

// mapOrder returns the indexes of the first occurrence of each key of the
// object v in the order AWS iterates the map.
func mapOrder(v *Value) []int {
	keys := make([]string, len(v.kids))
	for i := range v.kids {
		keys[i] = v.kids[i].key
	}
	return hashMapOrder(keys)
}

func lastIndex(v *Value, key string) int {
	for i := len(v.kids) - 1; i >= 0; i-- {
		if v.kids[i].key == key {
			return i
		}
	}
	return -1
}

// scalarRules writes the rules the scalar v (not null) breaks into out and
// returns how many, in AWS's order: enum, pattern, minimum, maximum.
func scalarRules(v *Value, p *plan, out *[4]string) int {
	if !p.hasRules {
		return 0
	}
	s := p.sh
	n := 0
	switch p.kind {
	case shape.String:
		if len(s.Enum) > 0 && !inEnum(s.Enum, v.s) {
			out[n] = ruleEnum(s.Enum)
			n++
		}
		if p.match != nil && !p.match(v.s) {
			out[n] = rulePattern(s.Pattern)
			n++
		}
		if s.HasMin || s.HasMax {
			l := int64(utf16Len(v.s))
			n = lengthRules(s, l, out, n)
		}
	case shape.Blob:
		n = lengthRules(s, int64(blobLen(v.s)), out, n)
	case shape.Integer, shape.Long:
		x := intOf(v, p)
		if s.HasMin && x < s.Min {
			out[n] = ruleMinVal(s.Min)
			n++
		}
		if s.HasMax && x > s.Max {
			out[n] = ruleMaxVal(s.Max)
			n++
		}
	case shape.Double, shape.Float:
		f, ok := v.Float()
		if ok && s.HasMin && f < float64(s.Min) {
			out[n] = ruleMinVal(s.Min)
			n++
		}
		if ok && s.HasMax && f > float64(s.Max) {
			out[n] = ruleMaxVal(s.Max)
			n++
		}
	}
	return n
}

func lengthRules(s *shape.Shape, l int64, out *[4]string, n int) int {
	if s.HasMin && l < s.Min {
		out[n] = ruleMinLen(s.Min)
		n++
	}
	if s.HasMax && l > s.Max {
		out[n] = ruleMaxLen(s.Max)
		n++
	}
	return n
}

func inEnum(enum []string, s string) bool {
	for _, e := range enum {
		if e == s {
			return true
		}
	}
	return false
}

// intOf reads an Integer or Long value as AWS does.
func intOf(v *Value, p *plan) int64 {
	x := numberInt(v.s)
	if p.kind == shape.Integer {
		x = clampInt32(x)
	}
	return x
}

// blobLen is the decoded length of base64 that blobCheck accepted.
func blobLen(s string) int {
	n := len(s) / 4 * 3
	if len(s) > 0 && s[len(s)-1] == '=' {
		n--
		if s[len(s)-2] == '=' {
			n--
		}
	}
	return n
}

// render shows v (not null) of plan p as AWS's validation messages do,
// unquoted.
func render(v *Value, p *plan) string {
	if v.IsNull() {
		return "null"
	}
	switch p.kind {
	case shape.Integer, shape.Long:
		if v.kind == Number {
			return itoa(intOf(v, p))
		}
	case shape.Blob:
		n := strconv.Itoa(blobLen(v.s))
		return "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]"
	case shape.Boolean:
		if v.kind == String {
			return strconv.FormatBool(boolWord(v.s) == 1)
		}
	case shape.List:
		parts := make([]string, len(v.kids))
		for i := range v.kids {
			parts[i] = render(&v.kids[i], p.elem)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case shape.Map:
		var b strings.Builder
		b.WriteByte('{')
		for n, i := range mapOrder(v) {
			if n > 0 {
				b.WriteString(", ")
			}
			k := v.kids[i].key
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(render(v.Member(k), p.elem))
		}
		b.WriteByte('}')
		return b.String()
	case shape.Structure:
		// Java's Object.toString; the hash is not AWS's, which is opaque.
		return p.javaName + "@" + strconv.FormatUint(uint64(structHash(v, p)), 16)
	}
	return v.s
}

// structHash is a Java-style hash of a structure's members.
func structHash(v *Value, p *plan) uint32 {
	h := uint32(1)
	for _, f := range p.fields {
		var x uint32
		if m := v.Member(f.name); !m.IsNull() {
			x = javaHash(m.s)
		}
		h = 31*h + x
	}
	return h
}
