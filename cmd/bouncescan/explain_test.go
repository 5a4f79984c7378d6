package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExplainText(t *testing.T) {
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"5.7.26", []string{"5.7.26", "Multiple authentication checks failed", "permanent", "security", "RFC 7372", "returned by:", "RCPT", "authfailure", "common causes:"}},
		{"550", []string{"550", "mailbox unavailable", "permanent", "RFC 5321", "returned by:", "MAIL", "RCPT", "common causes:"}},
		{"421 4.7.0", []string{"421", "transient", "any command", "4.7.0", "Other or undefined security status", "security"}},
		{"5.7.606", []string{"5.7.606", "banned sending IP", "microsoft", "permanent", "security", "blocked"}},
		{"X.1.1", []string{"X.1.1", "Bad destination mailbox address", "any class", "addressing", "RFC 3463"}},
		{"5.7.30", []string{"REQUIRETLS", "RFC 8689"}},
	} {
		out, errOut, code := runCLI(t, "", "explain", tc.code)
		if code != 0 {
			t.Errorf("explain %s: exit %d, stderr %q", tc.code, code, errOut)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("explain %s lacks %q:\n%s", tc.code, w, out)
			}
		}
	}
}

func TestExplainSeveralAndJSON(t *testing.T) {
	out, errOut, code := runCLI(t, "", "explain", "-o", "json", "452", "4.2.2", "250 5.1.1")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one JSON object per code, got:\n%s", out)
	}
	var ex struct {
		Query string `json:"query"`
		Reply *struct {
			Code     int      `json:"code"`
			Class    string   `json:"class"`
			Commands []string `json:"commands"`
		} `json:"reply"`
		Enhanced *struct {
			Code    string `json:"code"`
			Subject string `json:"subject"`
		} `json:"enhanced"`
		Flags []string `json:"flags"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Reply == nil || ex.Reply.Code != 452 || ex.Reply.Class != "transient" || len(ex.Reply.Commands) == 0 {
		t.Errorf("452: %s", lines[0])
	}
	ex.Reply = nil
	if err := json.Unmarshal([]byte(lines[1]), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Enhanced == nil || ex.Enhanced.Code != "4.2.2" || ex.Enhanced.Subject != "mailbox" {
		t.Errorf("4.2.2: %s", lines[1])
	}
	if err := json.Unmarshal([]byte(lines[2]), &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex.Flags) == 0 {
		t.Errorf("250 5.1.1 should be flagged: %s", lines[2])
	}
}

func TestExplainUnknown(t *testing.T) {
	for _, q := range []string{"999", "5.9.1", "hello", "6.1.1", "550 551"} {
		_, errOut, code := runCLI(t, "", "explain", q)
		if code != exitFailure || !strings.Contains(errOut, "bouncescan: explain:") {
			t.Errorf("explain %q: exit %d, stderr %q; want exit 1 and a message", q, code, errOut)
		}
	}
	// the known codes are still explained
	out, _, code := runCLI(t, "", "explain", "550", "999")
	if code != exitFailure || !strings.Contains(out, "550") {
		t.Errorf("explain 550 999: exit %d, out %q", code, out)
	}
	out, _, code = runCLI(t, "", "explain", "--help")
	if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "421 4.7.0") {
		t.Errorf("explain --help: exit %d:\n%s", code, out)
	}
}
