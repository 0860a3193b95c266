package convert

import (
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// orderedGroup is a Parquet group whose fields keep the order they were
// declared in; parquet.Group is a map and sorts its fields by name, which
// would lose the Glue column order.
type orderedGroup []parquet.Field

type namedField struct {
	parquet.Node
	name string
}

func (f namedField) Name() string { return f.name }

// Value is only used when deconstructing Go values; rows are built by hand.
func (f namedField) Value(base reflect.Value) reflect.Value {
	if base.Kind() == reflect.Map {
		return base.MapIndex(reflect.ValueOf(f.name))
	}
	return reflect.Value{}
}

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) String() string              { return parquet.Group(g.asMap()).String() }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Fields() []parquet.Field     { return g }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }
func (g orderedGroup) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }
func (g orderedGroup) asMap() map[string]parquet.Node {
	m := make(map[string]parquet.Node, len(g))
	for _, f := range g {
		m[f.Name()] = f
	}
	return m
}

// node is one schema node with what shredding needs: its Definition level
// when present, the repetition level its repeated children start at, and
// the range of leaf columns below it.
type node struct {
	name  string // as declared
	match string // lowercased, for key matching
	typ   *hiveType
	// def is the definition level reached when this node is present.
	def int
	// rep is the repetition level of a list's or map's repeated group.
	rep int
	// leaf is the column index of a primitive node.
	leaf int
	// first, last (exclusive) bound the leaf columns below this node.
	first, last int
	children    []*node // struct fields; [elem] for arrays; [key, value] for maps
}

type schemaBuilder struct {
	dictionary bool
	leaves     int
}

// build returns the Parquet node and the shredding node for a type.
// parentDef and parentRep are the levels of the enclosing node; required is
// true only for map keys.
func (b *schemaBuilder) build(name string, t *hiveType, parentDef, parentRep int, required bool) (parquet.Node, *node) {
	n := &node{name: name, match: strings.ToLower(name), typ: t, def: parentDef + 1, first: b.leaves}
	if required {
		n.def = parentDef
	}
	var pn parquet.Node
	switch t.kind {
	case kStruct:
		g := make(orderedGroup, 0, len(t.fields))
		for _, f := range t.fields {
			cp, cn := b.build(f.name, f.typ, n.def, parentRep, false)
			g = append(g, namedField{Node: cp, name: f.name})
			n.children = append(n.children, cn)
		}
		pn = g
	case kArray:
		// optional group (LIST) { repeated group list { optional elem element } }
		n.rep = parentRep + 1
		ep, en := b.build("element", t.elem, n.def+1, n.rep, false)
		n.children = []*node{en}
		pn = parquet.List(ep)
	case kMap:
		// optional group (MAP) { repeated group key_value { required key; optional value } }
		n.rep = parentRep + 1
		kp, kn := b.build("key", t.key, n.def+1, n.rep, true)
		vp, vn := b.build("value", t.value, n.def+1, n.rep, false)
		n.children = []*node{kn, vn}
		pn = parquet.Map(kp, vp)
	default:
		n.leaf = b.leaves
		b.leaves++
		pn = b.leaf(t)
	}
	n.last = b.leaves
	if required {
		return parquet.Required(pn), n
	}
	return parquet.Optional(pn), n
}

func (b *schemaBuilder) leaf(t *hiveType) parquet.Node {
	var n parquet.Node
	switch t.kind {
	case kString, kChar, kVarchar:
		n = parquet.String()
	case kBoolean:
		return parquet.Leaf(parquet.BooleanType)
	case kTinyint:
		n = parquet.Int(8)
	case kSmallint:
		n = parquet.Int(16)
	case kInt:
		n = parquet.Leaf(parquet.Int32Type)
	case kBigint:
		n = parquet.Leaf(parquet.Int64Type)
	case kFloat:
		n = parquet.Leaf(parquet.FloatType)
	case kDouble:
		n = parquet.Leaf(parquet.DoubleType)
	case kDecimal:
		n = parquet.Decimal(t.scale, t.precision, parquet.FixedLenByteArrayType(decimalBytes(t.precision)))
	case kDate:
		n = parquet.Date()
	case kTimestamp:
		n = parquet.Leaf(parquet.Int96Type)
	case kBinary:
		n = parquet.Leaf(parquet.ByteArrayType)
	}
	if b.dictionary {
		n = parquet.Encoded(n, &parquet.RLEDictionary)
	}
	return n
}

// decimalBytes is the fewest bytes of a two's complement integer that hold
// every unscaled value of the precision (Hive's and Spark's sizing).
func decimalBytes(precision int) int {
	// 10^precision - 1 must fit in 8*n - 1 bits.
	for n := 1; ; n++ {
		if float64(8*n-1) >= float64(precision)*3.321928094887362 {
			return n
		}
	}
}
