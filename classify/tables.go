package classify

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/bouncescan/bouncescan"
)

//go:embed data/*.toml
var dataFS embed.FS

// replyInfo is one basic SMTP reply code from data/replycodes.toml.
type replyInfo struct {
	Code    int               `toml:"code"`
	Title   string            `toml:"title"`
	RFC     string            `toml:"rfc"`
	Reasons map[string]string `toml:"reasons"`
	Causes  []string          `toml:"causes"`
}

// commandInfo lists the replies valid for one SMTP command.
type commandInfo struct {
	Name  string `toml:"name"`
	Title string `toml:"title"`
	Stage string `toml:"stage"`
	OK    []int  `toml:"ok"`
	Error []int  `toml:"error"`
}

type replyFile struct {
	Any      []int         `toml:"any"`
	Replies  []replyInfo   `toml:"reply"`
	Commands []commandInfo `toml:"command"`
}

// codeInfo is one enhanced status code (or a range of vendor codes) from
// data/enhanced.toml.
type codeInfo struct {
	Code   string   `toml:"code"`
	Last   int      `toml:"last"`
	Title  string   `toml:"title"`
	RFC    string   `toml:"rfc"`
	Reply  []int    `toml:"reply"`
	Reason string   `toml:"reason"`
	Vendor string   `toml:"vendor"`
	Source string   `toml:"source"` // the vendor's published list, for vendor codes
	Causes []string `toml:"causes"`
	// Unless: texts that show the registry's meaning of the same number is
	// meant, not the vendor's (Microsoft's 5.1.10 vs RFC 7505's null MX).
	Unless []string `toml:"unless"`
}

type titled struct {
	Code  int    `toml:"code"`
	Title string `toml:"title"`
}

type enhancedFile struct {
	Classes  []titled   `toml:"class"`
	Subjects []titled   `toml:"subject"`
	Codes    []codeInfo `toml:"code"`
}

// tables holds the code knowledge, read once from the embedded data.
type tables struct {
	replies      map[int]*replyInfo
	commands     []commandInfo
	anyReply     map[int]bool
	validByStage map[bouncescan.Stage]map[int]bool
	generic      map[string]*codeInfo // "S.D" → X.S.D entry
	genericList  []*codeInfo          // the X.S.D entries in registry order
	vendor       map[string]*codeInfo // "C.S.D" → vendor entry
	classTitle   map[int]string
	subjectTitle map[int]string
}

func loadTables() (*tables, error) {
	var rf replyFile
	if err := decodeEmbedded("data/replycodes.toml", &rf); err != nil {
		return nil, err
	}
	var ef enhancedFile
	if err := decodeEmbedded("data/enhanced.toml", &ef); err != nil {
		return nil, err
	}
	t := &tables{
		replies:      make(map[int]*replyInfo, len(rf.Replies)),
		commands:     rf.Commands,
		anyReply:     make(map[int]bool),
		validByStage: make(map[bouncescan.Stage]map[int]bool),
		generic:      make(map[string]*codeInfo),
		vendor:       make(map[string]*codeInfo),
		classTitle:   make(map[int]string),
		subjectTitle: make(map[int]string),
	}
	for i := range rf.Replies {
		r := &rf.Replies[i]
		for st, reason := range r.Reasons {
			if !knownReason(reason) {
				return nil, fmt.Errorf("data/replycodes.toml: reply %d: unknown reason %q", r.Code, reason)
			}
			if _, ok := stageByName(st); !ok && st != "any" {
				return nil, fmt.Errorf("data/replycodes.toml: reply %d: unknown stage %q", r.Code, st)
			}
		}
		t.replies[r.Code] = r
	}
	for _, c := range rf.Any {
		t.anyReply[c] = true
	}
	for _, c := range rf.Commands {
		if c.Stage == "" {
			continue
		}
		st, ok := stageByName(c.Stage)
		if !ok {
			return nil, fmt.Errorf("data/replycodes.toml: command %s: unknown stage %q", c.Name, c.Stage)
		}
		m := t.validByStage[st]
		if m == nil {
			m = make(map[int]bool)
			t.validByStage[st] = m
		}
		for _, r := range append(append([]int(nil), c.OK...), c.Error...) {
			m[r] = true
		}
	}
	for _, c := range ef.Classes {
		t.classTitle[c.Code] = c.Title
	}
	for _, s := range ef.Subjects {
		t.subjectTitle[s.Code] = s.Title
	}
	for i := range ef.Codes {
		c := &ef.Codes[i]
		if c.Reason != "" && !knownReason(c.Reason) {
			return nil, fmt.Errorf("data/enhanced.toml: code %s: unknown reason %q", c.Code, c.Reason)
		}
		if strings.HasPrefix(c.Code, "X.") {
			t.generic[c.Code[2:]] = c
			t.genericList = append(t.genericList, c)
			continue
		}
		cl, s, d, ok := splitEnhanced(c.Code)
		if !ok {
			return nil, fmt.Errorf("data/enhanced.toml: bad code %q", c.Code)
		}
		last := d
		if c.Last > 0 {
			last = c.Last
		}
		for n := d; n <= last; n++ {
			t.vendor[fmt.Sprintf("%d.%d.%d", cl, s, n)] = c
		}
	}
	return t, nil
}

func decodeEmbedded(name string, v any) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	if _, err := toml.Decode(string(b), v); err != nil {
		return fmt.Errorf("classify: %s: %w", name, err)
	}
	return nil
}

// splitEnhanced splits "C.S.D" into numbers.
// It runs on every event the cache misses: cut, not split (no allocation).
func splitEnhanced(code string) (c, s, d int, ok bool) {
	p0, rest, ok0 := strings.Cut(code, ".")
	p1, p2, ok1 := strings.Cut(rest, ".")
	if !ok0 || !ok1 || strings.IndexByte(p2, '.') >= 0 {
		return 0, 0, 0, false
	}
	var err error
	if c, err = strconv.Atoi(p0); err != nil {
		return 0, 0, 0, false
	}
	if s, err = strconv.Atoi(p1); err != nil {
		return 0, 0, 0, false
	}
	if d, err = strconv.Atoi(p2); err != nil {
		return 0, 0, 0, false
	}
	return c, s, d, true
}

// lookupEnhancedIn is lookupEnhanced for a code that came with the
// lower-cased text lower: a vendor entry whose unless texts are in it gives
// way to the registry's entry.
func (t *tables) lookupEnhancedIn(code, lower string) *codeInfo {
	ci := t.lookupEnhanced(code)
	if ci == nil || ci.Vendor == "" {
		return ci
	}
	for _, u := range ci.Unless {
		if strings.Contains(lower, u) {
			if i := strings.IndexByte(code, '.'); i >= 0 {
				return t.generic[code[i+1:]]
			}
		}
	}
	return ci
}

// lookupEnhanced finds the registry or vendor entry of a normalised code.
func (t *tables) lookupEnhanced(code string) *codeInfo {
	if code == "" {
		return nil
	}
	if v := t.vendor[code]; v != nil {
		return v
	}
	if i := strings.IndexByte(code, '.'); i >= 0 {
		return t.generic[code[i+1:]]
	}
	return nil
}

// replyReason is the fallback reason of a reply code at a stage.
func (t *tables) replyReason(code int, st bouncescan.Stage) string {
	r := t.replies[code]
	if r == nil || r.Reasons == nil {
		return ""
	}
	if v, ok := r.Reasons[st.String()]; ok && st != bouncescan.StageUnknown {
		return v
	}
	return r.Reasons["any"]
}

// validForStage reports whether reply code is a valid answer at stage st;
// known is false when the stage has no table (local delivery, unknown).
func (t *tables) validForStage(code int, st bouncescan.Stage) (valid, known bool) {
	m := t.validByStage[st]
	if m == nil {
		return true, false
	}
	return m[code] || t.anyReply[code], true
}

// commandsFor lists the commands for which reply code is a listed answer;
// a reply that any command may give is "any command".
func (t *tables) commandsFor(code int) []string {
	if t.anyReply[code] {
		return []string{"any command"}
	}
	var out []string
	for _, c := range t.commands {
		if containsInt(c.OK, code) || containsInt(c.Error, code) {
			out = append(out, c.Name)
		}
	}
	return out
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

func stageByName(name string) (bouncescan.Stage, bool) {
	if name == "unknown" {
		return bouncescan.StageUnknown, true
	}
	st, ok := bouncescan.ParseStage(name)
	if !ok || (st == bouncescan.StageUnknown && name != "") {
		return bouncescan.StageUnknown, false
	}
	return st, name != ""
}
