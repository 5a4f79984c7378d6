package output

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browser finds a headless Chromium: $BOUNCESCAN_CHROMIUM, else Debian's
// chromium (which .ci/run installs), else chromium-browser or chrome.
func browser(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BOUNCESCAN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found (apt-get install chromium, or set BOUNCESCAN_CHROMIUM): the HTML report is not tested in a browser")
	return ""
}

// runBrowser loads page in headless Chromium with extra args (--dump-dom,
// --screenshot=…) and returns stdout and stderr (console messages are
// logged on stderr).
func runBrowser(t *testing.T, bin, page string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, errb.String())
	}
	return out.String(), errb.String()
}

// consoleErrors picks the page's console errors, failed loads and CSP
// refusals out of Chromium's log.
func consoleErrors(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") || strings.Contains(l, "Refused to") || strings.Contains(l, "net::ERR_") {
			out = append(out, l)
		}
	}
	return out
}

func TestHTMLInChromium(t *testing.T) {
	bin := browser(t)
	dir := t.TempDir()

	// the check can fail: a page with a script error is caught
	bad := filepath.Join(dir, "bad.html")
	os.WriteFile(bad, []byte(`<!DOCTYPE html><html><body><script>nosuchfunction()</script></body></html>`), 0o644)
	if _, log := runBrowser(t, bin, bad, "--dump-dom"); len(consoleErrors(log)) == 0 {
		t.Fatalf("a script error is not seen in Chromium's log; the console check would prove nothing:\n%s", log)
	}

	var buf bytes.Buffer
	if err := HTML(&buf, hostileReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, log := runBrowser(t, bin, page, "--dump-dom")
	if errs := consoleErrors(log); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
	if regexp.MustCompile(`<body[^>]*data-pwned`).MatchString(dom) {
		t.Errorf("an injected script ran: %s", regexp.MustCompile(`<body[^>]*>`).FindString(dom))
	}
	if !strings.Contains(dom, "&lt;img src=x onerror=") || !strings.Contains(dom, "&lt;script&gt;document.body") {
		t.Errorf("the hostile texts are not shown as text")
	}
	for _, id := range []string{"chart-time", "chart-reasons", "chart-worst-domain", "chart-retries"} {
		if !regexp.MustCompile(`id="` + id + `"[^>]*>\s*<h3>[^<]*</h3>\s*<svg`).MatchString(dom) {
			t.Errorf("chart %s is not in the DOM", id)
		}
	}
	if !strings.Contains(dom, `<table class="sort" id="table-templates"`) {
		t.Errorf("templates table missing")
	}

	shot := os.Getenv("BOUNCESCAN_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(dir, "report.png")
	}
	runBrowser(t, bin, page, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
	png, err := os.ReadFile(shot)
	if err != nil || len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("no screenshot: %v (%d bytes)", err, len(png))
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
}
