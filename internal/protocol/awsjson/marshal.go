package awsjson

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Marshal encodes v, a response struct (or a pointer to one), as AWS JSON:
// members by their json tags, in field order; omitempty members left out
// when nil or empty; other members always written, a nil slice as [], a
// nil map as {}, a nil []byte as ""; time.Time as epoch seconds to the
// millisecond; []byte as standard base64. Map keys are sorted.
func Marshal(v any) ([]byte, error) {
	return AppendMarshal(make([]byte, 0, 256), v)
}

// AppendMarshal is Marshal appending to dst.
func AppendMarshal(dst []byte, v any) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	rv := reflect.ValueOf(v)
	return encoderFor(rv.Type())(dst, rv)
}

// encoder appends the JSON of v, whose type it was built for.
type encoder func(b []byte, v reflect.Value) ([]byte, error)

var encoders sync.Map // reflect.Type → encoder

// encoderFor returns the (cached) encoder of t. A recursive type gets, while
// it is being built, an encoder that waits for the real one.
func encoderFor(t reflect.Type) encoder {
	if e, ok := encoders.Load(t); ok {
		return e.(encoder)
	}
	var (
		wg sync.WaitGroup
		f  encoder
	)
	wg.Add(1)
	fi, loaded := encoders.LoadOrStore(t, encoder(func(b []byte, v reflect.Value) ([]byte, error) {
		wg.Wait()
		return f(b, v)
	}))
	if loaded {
		return fi.(encoder)
	}
	f = newEncoder(t)
	wg.Done()
	encoders.Store(t, f)
	return f
}

func newEncoder(t reflect.Type) encoder {
	if t == timeType {
		return func(b []byte, v reflect.Value) ([]byte, error) {
			if v.CanAddr() { // no boxing
				return AppendTimestamp(b, *(*time.Time)(v.Addr().UnsafePointer())), nil
			}
			return AppendTimestamp(b, v.Interface().(time.Time)), nil
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return pointerEncoder(t)
	case reflect.Interface:
		return func(b []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(b, "null"...), nil
			}
			e := v.Elem()
			return encoderFor(e.Type())(b, e)
		}
	case reflect.String:
		return func(b []byte, v reflect.Value) ([]byte, error) { return AppendString(b, v.String()), nil }
	case reflect.Bool:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendBool(b, v.Bool()), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendInt(b, v.Int(), 10), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(b []byte, v reflect.Value) ([]byte, error) { return strconv.AppendUint(b, v.Uint(), 10), nil }
	case reflect.Float32, reflect.Float64:
		bitSize := t.Bits()
		return func(b []byte, v reflect.Value) ([]byte, error) {
			f := v.Float()
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return b, fmt.Errorf("awsjson: marshal: unsupported float value %v", f)
			}
			return appendFloat(b, f, bitSize), nil
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return func(b []byte, v reflect.Value) ([]byte, error) { return AppendBase64(b, v.Bytes()), nil }
		}
		return listEncoder(t)
	case reflect.Array:
		return listEncoder(t)
	case reflect.Map:
		return mapEncoder(t)
	case reflect.Struct:
		return structEncoder(t)
	}
	return func(b []byte, v reflect.Value) ([]byte, error) {
		return b, fmt.Errorf("awsjson: marshal: unsupported type %s", t)
	}
}

func pointerEncoder(t reflect.Type) encoder {
	var once sync.Once
	var elem encoder
	return func(b []byte, v reflect.Value) ([]byte, error) {
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		once.Do(func() { elem = encoderFor(t.Elem()) })
		return elem(b, v.Elem())
	}
}

func listEncoder(t reflect.Type) encoder {
	elem := encoderFor(t.Elem())
	return func(b []byte, v reflect.Value) ([]byte, error) {
		b = append(b, '[')
		n := v.Len()
		for i := 0; i < n; i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = reserve(b)
			var err error
			if b, err = elem(b, v.Index(i)); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
}

func mapEncoder(t reflect.Type) encoder {
	if t.Key().Kind() != reflect.String {
		return func(b []byte, v reflect.Value) ([]byte, error) {
			return b, fmt.Errorf("awsjson: marshal: unsupported map key type %s", t.Key())
		}
	}
	elem := encoderFor(t.Elem())
	return func(b []byte, v reflect.Value) ([]byte, error) {
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, c reflect.Value) int {
			switch x, y := a.String(), c.String(); {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		})
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, k.String())
			b = append(b, ':')
			var err error
			if b, err = elem(b, v.MapIndex(k)); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
}

type fieldEncoder struct {
	index     int
	prefix    string // `"Name":`
	omitEmpty bool
	enc       encoder
}

func structEncoder(t reflect.Type) encoder {
	plan := structPlanFor(t)
	fields := make([]fieldEncoder, len(plan.fields))
	for i, f := range plan.fields {
		fields[i] = fieldEncoder{index: f.index, prefix: string(AppendString(nil, f.name)) + ":",
			omitEmpty: f.omitEmpty, enc: encoderFor(f.typ)}
	}
	return func(b []byte, v reflect.Value) ([]byte, error) {
		b = append(b, '{')
		first := true
		for i := range fields {
			f := &fields[i]
			fv := v.Field(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, f.prefix...)
			var err error
			if b, err = f.enc(b, fv); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
}

// reserve doubles b when little room is left: append grows large slices by
// only a quarter, which costs a long response many copies.
func reserve(b []byte) []byte {
	if cap(b)-len(b) < 512 {
		return slices.Grow(b, max(len(b), 512))
	}
	return b
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Map, reflect.Slice:
		// AWS distinguishes an absent list from an empty one
		// ("ShardLevelMetrics":[]), so only nil is left out; []byte blobs
		// follow the same rule.
		return v.IsNil()
	case reflect.Array, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
