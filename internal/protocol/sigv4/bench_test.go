package sigv4

import (
	"testing"
)

func BenchmarkParse(b *testing.B) {
	r, _ := sdkPost(b, putBody, signOpts{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	r, body := sdkPost(b, putBody, signOpts{})
	a, err := Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	v := newVerifier(t0)
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(r, body, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPresigned(b *testing.B) {
	r, body := sdkPresignedGet(b, testSecret, 3600e9)
	a, err := Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	v := newVerifier(t0)
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(r, body, a); err != nil {
			b.Fatal(err)
		}
	}
}
