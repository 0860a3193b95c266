package sigv4

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCredentials(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    map[string]string
		wantErr string // substring; empty for success
	}{
		{
			name: "shared credentials file",
			content: "# a comment\n[default]\naws_access_key_id = AKIDONE\naws_secret_access_key = secret/one+\n" +
				"aws_session_token = ignored\n\n; another comment\n[ci]\r\nAWS_ACCESS_KEY_ID=AKIDTWO\r\naws_secret_access_key=secret=two\r\nregion = eu-west-1\r\n" +
				"[only-region]\nregion = us-east-1\n",
			want: map[string]string{"AKIDONE": "secret/one+", "AKIDTWO": "secret=two"},
		},
		{
			name:    "json",
			content: `  {"credentials":[{"accessKeyId":"AKIDONE","secretAccessKey":"s1"},{"accessKeyId":"AKIDTWO","secretAccessKey":"s2"}]}`,
			want:    map[string]string{"AKIDONE": "s1", "AKIDTWO": "s2"},
		},
		{
			name:    "same pair twice",
			content: "[a]\naws_access_key_id=AKID\naws_secret_access_key=s\n[b]\naws_access_key_id=AKID\naws_secret_access_key=s\n",
			want:    map[string]string{"AKID": "s"},
		},
		{name: "empty", content: "\n# nothing\n", wantErr: "no access keys found"},
		{name: "empty json list", content: `{"credentials":[]}`, wantErr: "no access keys found"},
		{name: "bad json", content: `{"credentials":`, wantErr: "parse json"},
		{name: "json without secret", content: `{"credentials":[{"accessKeyId":"AKID"}]}`,
			wantErr: "credentials[0]: missing secret access key for AKID"},
		{name: "profile without key id", content: "[p]\naws_secret_access_key=topsecret\n",
			wantErr: `profile "p" (line 1): missing access key id`},
		{name: "profile without secret", content: "[p]\naws_access_key_id=AKID\n",
			wantErr: `profile "p" (line 1): missing secret access key for AKID`},
		{name: "conflicting secrets", content: "[a]\naws_access_key_id=AKID\naws_secret_access_key=s1\n[b]\naws_access_key_id=AKID\naws_secret_access_key=s2\n",
			wantErr: "access key id AKID appears twice with different secrets"},
		{name: "key outside a profile", content: "aws_access_key_id=AKID\n", wantErr: "line 1: key outside any [profile]"},
		{name: "not key = value", content: "[p]\njunk\n", wantErr: "line 2: expected key = value"},
		{name: "unterminated section", content: "[p\n", wantErr: "line 1: unterminated section header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "credentials")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadCredentials(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("err = %v, want it to name the file", err)
				}
				for _, secret := range []string{"topsecret", "s1", "s2"} {
					if strings.Contains(err.Error(), "="+secret) || strings.Contains(err.Error(), " "+secret) {
						t.Errorf("err = %v reveals a secret", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadCredentials: %v", err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("LoadCredentials = %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("missing file", func(t *testing.T) {
		_, err := LoadCredentials(filepath.Join(t.TempDir(), "nope"))
		if err == nil || !os.IsNotExist(unwrapAll(err)) {
			t.Fatalf("err = %v, want a wrapped not-exist error", err)
		}
	})
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"both", map[string]string{EnvAccessKeyID: "AKID", EnvSecretAccessKey: "s"}, map[string]string{"AKID": "s"}},
		{"trimmed", map[string]string{EnvAccessKeyID: " AKID\n", EnvSecretAccessKey: "s "}, map[string]string{"AKID": "s"}},
		{"only id", map[string]string{EnvAccessKeyID: "AKID"}, nil},
		{"only secret", map[string]string{EnvSecretAccessKey: "s"}, nil},
		{"neither", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FromEnv(func(k string) string { return tt.env[k] })
			if !maps.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("FromEnv = %v, want %v", got, tt.want)
			}
		})
	}
}
