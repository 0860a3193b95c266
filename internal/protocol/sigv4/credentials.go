package sigv4

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Environment variables FromEnv reads.
const (
	EnvAccessKeyID     = "FRESHET_ACCESS_KEY_ID"
	EnvSecretAccessKey = "FRESHET_SECRET_ACCESS_KEY"
)

// LoadCredentials reads the access keys Freshet accepts, as a map from
// access key id to secret access key, from either
//
//   - an AWS shared-credentials file: [profile] sections with
//     aws_access_key_id and aws_secret_access_key (other keys, such as
//     aws_session_token or region, are ignored), or
//   - JSON: {"credentials":[{"accessKeyId":"…","secretAccessKey":"…"}]}.
//
// A file whose first non-blank byte is '{' is read as JSON. Errors name the
// file, the profile or entry and the access key id, never a secret.
func LoadCredentials(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	var creds map[string]string
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		creds, err = parseJSONCredentials(trimmed)
	} else {
		creds, err = parseINICredentials(data)
	}
	if err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("credentials file %s: %w", path, errNoCredentials)
	}
	return creds, nil
}

var errNoCredentials = errors.New("no access keys found")

// FromEnv returns the key pair in FRESHET_ACCESS_KEY_ID and
// FRESHET_SECRET_ACCESS_KEY, or nil unless both are set.
func FromEnv(getenv func(string) string) map[string]string {
	id := strings.TrimSpace(getenv(EnvAccessKeyID))
	secret := strings.TrimSpace(getenv(EnvSecretAccessKey))
	if id == "" || secret == "" {
		return nil
	}
	return map[string]string{id: secret}
}

type jsonCredentials struct {
	Credentials []struct {
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
	} `json:"credentials"`
}

func parseJSONCredentials(data []byte) (map[string]string, error) {
	var doc jsonCredentials
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse json: %w", err)
	}
	creds := make(map[string]string, len(doc.Credentials))
	for i, c := range doc.Credentials {
		where := fmt.Sprintf("credentials[%d]", i)
		if err := add(creds, where, c.AccessKeyID, c.SecretAccessKey); err != nil {
			return nil, err
		}
	}
	return creds, nil
}

// iniProfile is one section of a shared-credentials file.
type iniProfile struct {
	name, id, secret string
	line             int
}

func parseINICredentials(data []byte) (map[string]string, error) {
	creds := make(map[string]string)
	var cur *iniProfile
	flush := func() error {
		if cur == nil {
			return nil
		}
		p := *cur
		cur = nil
		if p.id == "" && p.secret == "" {
			return nil // a profile without keys, e.g. only a region
		}
		return add(creds, fmt.Sprintf("profile %q (line %d)", p.name, p.line), p.id, p.secret)
	}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if err := flush(); err != nil {
				return nil, err
			}
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated section header", n+1)
			}
			cur = &iniProfile{name: strings.TrimSpace(line[1:end]), line: n + 1}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected key = value", n+1)
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: key outside any [profile]", n+1)
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch k {
		case "aws_access_key_id":
			cur.id = v
		case "aws_secret_access_key":
			cur.secret = v
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return creds, nil
}

// add records one key pair, refusing a half pair or one access key id with
// two different secrets.
func add(creds map[string]string, where, id, secret string) error {
	if id == "" {
		return fmt.Errorf("%s: missing access key id", where)
	}
	if secret == "" {
		return fmt.Errorf("%s: missing secret access key for %s", where, id)
	}
	if old, ok := creds[id]; ok && old != secret {
		return fmt.Errorf("%s: access key id %s appears twice with different secrets", where, id)
	}
	creds[id] = secret
	return nil
}
