package awsjson

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// b64 maps a standard base64 character to its 6 bits; padOrBad flags '='
// and every byte outside the alphabet (bad alone marks the latter).
const (
	padOrBad = 0x40
	bad      = 0x80 | padOrBad
)

var b64 = func() (t [256]byte) {
	for i := range t {
		t[i] = bad
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	t['='] = padOrBad
	return t
}()

// blobCheck checks s as AWS's front end reads a base64 blob and returns the
// decoded length, or the SerializationException message.
func blobCheck(s string) (n int, msg string) {
	// Java checks the length (in UTF-16 units) first, then the characters.
	if len(s)%4 != 0 {
		if msg := blobLengthMsg(s); msg != "" {
			return 0, msg
		}
	}
	i := 0
	for ; i+4 <= len(s); i += 4 {
		if (b64[s[i]]|b64[s[i+1]]|b64[s[i+2]]|b64[s[i+3]])&padOrBad != 0 {
			break
		}
	}
	pads := 0
	for ; i < len(s); i++ {
		c := s[i]
		t := b64[c]
		if t&padOrBad == 0 {
			if pads > 0 {
				// Unreachable: a pad followed by a character was caught below.
				return 0, blobMsg(s, "Invalid Base64 character: '='")
			}
			continue
		}
		if t == bad {
			if c >= utf8.RuneSelf {
				if msg := blobLengthMsg(s); msg != "" {
					return 0, msg
				}
			}
			r, _ := utf8.DecodeRuneInString(s[i:])
			return 0, blobMsg(s, "Invalid Base64 character: '"+string(r)+"'")
		}
		// '=': only more '=' may follow.
		if i+1 < len(s) && s[i+1] != '=' {
			return 0, blobMsg(s, "Invalid Base64 character: '='")
		}
		pads++
	}
	if pads > 2 {
		return 0, blobMsg(s, "Invalid last non-pad Base64 character dectected")
	}
	if pads > 0 {
		last := b64[s[len(s)-pads-1]]
		if (pads == 1 && last&0x3 != 0) || (pads == 2 && last&0xF != 0) {
			return 0, blobMsg(s, "Invalid last non-pad Base64 character dectected")
		}
	}
	return len(s)/4*3 - pads, ""
}

// blobLengthMsg is the message for s when its length in UTF-16 units is
// not a multiple of 4, else "".
func blobLengthMsg(s string) string {
	if l := utf16Len(s); l%4 != 0 {
		return blobMsg(s, "Base64 encoded length is expected a multiple of 4 bytes but found: "+strconv.Itoa(l))
	}
	return ""
}

// blobMsg phrases AWS's message for a string that is not base64 (sic:
// "dectected" is AWS's spelling).
func blobMsg(s, why string) string {
	return "'" + s + "' can not be converted to a Blob: " + why
}

// BlobLen returns the decoded length of a base64 string as AWS's front end
// checks it; ok is false when v is not a string of valid base64.
func (v *Value) BlobLen() (n int, ok bool) {
	if v == nil || v.kind != String {
		return 0, false
	}
	n, msg := blobCheck(v.s)
	return n, msg == ""
}

// AppendBlob appends the decoded bytes of a base64 string to dst (a hot
// path decodes every record into one arena this way). ok is false, and dst
// returned unchanged, when v is not a string of valid base64.
func (v *Value) AppendBlob(dst []byte) (out []byte, ok bool) {
	if v == nil || v.kind != String {
		return dst, false
	}
	if _, msg := blobCheck(v.s); msg != "" {
		return dst, false
	}
	return appendDecoded(dst, v.s), true
}

// appendDecoded decodes s, already checked by blobCheck.
func appendDecoded(dst []byte, s string) []byte {
	if len(s) == 0 {
		return dst
	}
	out, err := base64.StdEncoding.AppendDecode(dst, unsafe.Slice(unsafe.StringData(s), len(s)))
	if err != nil {
		return dst // unreachable for checked input
	}
	return out
}
