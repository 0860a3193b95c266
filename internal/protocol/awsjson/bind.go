package awsjson

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/freshet/freshet/internal/protocol/awserr"
	"github.com/freshet/freshet/internal/protocol/shape"
)

// msgUnexpected answers a value Bind cannot store (which Validate, run
// first, rules out for the shapes it knows).
const msgUnexpected = "Unexpected field type"

// Decode parses body, validates it against the input shape in and binds it
// into dst, a pointer to the generated request struct. An empty body is
// read as {}. Everything stored in dst is copied out of body.
func Decode(body []byte, in *shape.Shape, dst any) error {
	if len(body) == 0 {
		body = emptyObject
	}
	p := parsers.Get().(*Parser)
	defer releaseParser(p)
	v, err := p.Parse(body)
	if err != nil {
		return err
	}
	if err := Validate(v, in); err != nil {
		return err
	}
	return bindRoot(v, in, dst)
}

var emptyObject = []byte("{}")

var parsers = sync.Pool{New: func() any { return new(Parser) }}

// releaseParser pools p unless a huge body has bloated it.
func releaseParser(p *Parser) {
	if cap(p.arena) > 1<<16 || cap(p.stack) > 1<<14 {
		return
	}
	p.arena = p.arena[:0]
	p.stack = p.stack[:0]
	parsers.Put(p)
}

// Bind stores v into dst, a non-nil pointer, by the json tags of its
// structs: pointers are allocated as needed, []byte is decoded from base64,
// time.Time read from epoch seconds, integers floored and saturated.
// Strings are copied, so dst does not alias the parsed body. Members dst
// does not have are ignored, null sets a field to its zero value, and of a
// repeated member the last counts.
func Bind(v *Value, dst any) error { return bindRoot(v, nil, dst) }

func bindRoot(v *Value, s *shape.Shape, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("awsjson: bind into %T: need a non-nil pointer", dst)
	}
	return bind(v, s, rv.Elem())
}

var timeType = reflect.TypeFor[time.Time]()

func mismatch(v *Value, t reflect.Type) error {
	return fmt.Errorf("awsjson: cannot bind a json %s into %s: %w", v.Kind(), t, awserr.Serialization(msgUnexpected))
}

// bind stores v into rv; s, when known, is v's shape (an Integer shape
// saturates at the int32 range as AWS reads it).
func bind(v *Value, s *shape.Shape, rv reflect.Value) error {
	if v.IsNull() {
		rv.SetZero()
		return nil
	}
	t := rv.Type()
	if t == timeType {
		ts, ok := v.Timestamp()
		if !ok {
			return mismatch(v, t)
		}
		rv.Set(reflect.ValueOf(ts))
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			rv.Set(reflect.New(t.Elem()))
		}
		return bind(v, s, rv.Elem())
	case reflect.String:
		if v.kind != String {
			return mismatch(v, t)
		}
		str := v.s
		if !v.esc {
			str = strings.Clone(str)
		}
		rv.SetString(str)
	case reflect.Bool:
		switch {
		case v.kind == Bool:
			rv.SetBool(v.Bool())
		case v.kind == String && boolWord(v.s) >= 0:
			rv.SetBool(boolWord(v.s) == 1)
		default:
			return mismatch(v, t)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.kind != Number {
			return mismatch(v, t)
		}
		n := numberInt(v.s)
		if s != nil && s.Kind == shape.Integer {
			n = clampInt32(n)
		}
		bitSize := t.Bits()
		lo, hi := int64(-1)<<(bitSize-1), int64(1)<<(bitSize-1)-1
		rv.SetInt(min(max(n, lo), hi))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v.kind != Number {
			return mismatch(v, t)
		}
		n := max(numberInt(v.s), 0)
		if t.Bits() < 64 {
			n = min(n, int64(1)<<t.Bits()-1)
		}
		rv.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		f, ok := v.Float()
		if !ok {
			return mismatch(v, t)
		}
		if t.Kind() == reflect.Float32 && math.Abs(f) > math.MaxFloat32 {
			return mismatch(v, t)
		}
		rv.SetFloat(f)
	case reflect.Slice:
		return bindSlice(v, s, rv)
	case reflect.Map:
		return bindMap(v, s, rv)
	case reflect.Struct:
		return bindStruct(v, s, rv)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return mismatch(v, t)
		}
		rv.Set(reflect.ValueOf(generic(v)))
	default:
		return mismatch(v, t)
	}
	return nil
}

func bindSlice(v *Value, s *shape.Shape, rv reflect.Value) error {
	t := rv.Type()
	if t.Elem().Kind() == reflect.Uint8 {
		if v.kind != String {
			return mismatch(v, t)
		}
		if _, msg := blobCheck(v.s); msg != "" {
			return fmt.Errorf("awsjson: bind: %w", awserr.Serialization(msg))
		}
		b := appendDecoded(make([]byte, 0, blobLen(v.s)), v.s)
		rv.SetBytes(b)
		return nil
	}
	if v.kind != Array {
		return mismatch(v, t)
	}
	var es *shape.Shape
	if s != nil {
		es = s.Member
	}
	out := reflect.MakeSlice(t, len(v.kids), len(v.kids))
	for i := range v.kids {
		if err := bind(&v.kids[i], es, out.Index(i)); err != nil {
			return err
		}
	}
	rv.Set(out)
	return nil
}

func bindMap(v *Value, s *shape.Shape, rv reflect.Value) error {
	t := rv.Type()
	if v.kind != Object || t.Key().Kind() != reflect.String {
		return mismatch(v, t)
	}
	var vs *shape.Shape
	if s != nil {
		vs = s.Value
	}
	out := reflect.MakeMapWithSize(t, len(v.kids))
	for i := range v.kids {
		m := &v.kids[i]
		e := reflect.New(t.Elem()).Elem()
		if err := bind(m, vs, e); err != nil {
			return err
		}
		k := reflect.New(t.Key()).Elem()
		k.SetString(strings.Clone(m.key))
		out.SetMapIndex(k, e)
	}
	rv.Set(out)
	return nil
}

func bindStruct(v *Value, s *shape.Shape, rv reflect.Value) error {
	if v.kind != Object {
		return mismatch(v, rv.Type())
	}
	plan := structPlanFor(rv.Type())
	for i := range v.kids {
		m := &v.kids[i]
		f := plan.lookup(m.key)
		if f == nil || v.Member(m.key) != m {
			continue // unknown, or repeated: the last one counts, as Validate reads it
		}
		var ms *shape.Shape
		if s != nil {
			if mem, ok := s.Lookup(m.key); ok {
				ms = mem.Shape
			}
		}
		if err := bind(m, ms, rv.Field(f.index)); err != nil {
			return err
		}
	}
	return nil
}

// generic turns v into the values encoding/json would give an any.
func generic(v *Value) any {
	switch v.kind {
	case Bool:
		return v.Bool()
	case Number:
		f, _ := v.Float()
		return f
	case String:
		return strings.Clone(v.s)
	case Array:
		out := make([]any, len(v.kids))
		for i := range v.kids {
			out[i] = generic(&v.kids[i])
		}
		return out
	case Object:
		out := make(map[string]any, len(v.kids))
		for i := range v.kids {
			out[strings.Clone(v.kids[i].key)] = generic(&v.kids[i])
		}
		return out
	}
	return nil
}

// structPlan lists the json members of a struct type.
type structPlan struct {
	fields []structField
	byName map[string]int // for large structs
}

type structField struct {
	name      string
	index     int
	omitEmpty bool
	typ       reflect.Type
}

func (p *structPlan) lookup(name string) *structField {
	if p.byName != nil {
		if i, ok := p.byName[name]; ok {
			return &p.fields[i]
		}
		return nil
	}
	for i := range p.fields {
		if p.fields[i].name == name {
			return &p.fields[i]
		}
	}
	return nil
}

var structPlans sync.Map // reflect.Type → *structPlan

func structPlanFor(t reflect.Type) *structPlan {
	if p, ok := structPlans.Load(t); ok {
		return p.(*structPlan)
	}
	p := &structPlan{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		p.fields = append(p.fields, structField{name: name, index: i, typ: sf.Type,
			omitEmpty: hasOption(opts, "omitempty")})
	}
	if len(p.fields) > 16 {
		p.byName = make(map[string]int, len(p.fields))
		for i, f := range p.fields {
			p.byName[f.name] = i
		}
	}
	actual, _ := structPlans.LoadOrStore(t, p)
	return actual.(*structPlan)
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}
