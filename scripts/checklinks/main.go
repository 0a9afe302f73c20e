// Command checklinks is part of `make docs-check`: it fails when a Markdown file of the repository
// links to a file that does not exist, or to a heading (#anchor) that the target file does not have.
//
//	go run ./scripts/checklinks [-repo URL] FILE.md...
//
// Relative links are checked, and so are links to this repository's files on GitHub
// (-repo URL/blob/main/PATH or URL/tree/main/PATH, resolved against the current directory, the
// repository's root), which the Registry docs under docs/ use for files outside docs/. Other web
// links are not fetched: the check works offline. Links
// inside code blocks and code spans are not links. Anchors follow GitHub's rule for headings
// (lower case, punctuation dropped, spaces to '-', "-1", "-2"... for repeats), and <a id="...">
// or <a name="..."> tags count too, as tfplugindocs writes them for nested schemas.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

func main() {
	repo := flag.String("repo", "https://github.com/cloudapi/terraform-provider-apigateway",
		"URL of this repository on GitHub; links to its files on the main branch are checked as local files")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: checklinks [-repo URL] FILE.md...")
		os.Exit(2)
	}
	c := newChecker()
	c.repoURL = strings.TrimSuffix(*repo, "/")
	var problems []string
	checked := 0
	for _, file := range flag.Args() {
		if _, err := os.Stat(file); os.IsNotExist(err) {
			continue // listed by git but deleted in the work tree
		}
		p, n, err := c.checkFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, "checklinks:", err)
			os.Exit(1)
		}
		problems = append(problems, p...)
		checked += n
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		fmt.Printf("checklinks: %d broken relative link(s)\n", len(problems))
		os.Exit(1)
	}
	fmt.Printf("checklinks: %d links into the repository, from %d Markdown files, are fine\n", checked, flag.NArg())
}

// checker caches the anchors of the files links point at.
type checker struct {
	anchors map[string]map[string]bool
	// repoURL is the repository on GitHub ("" for none); links under it are checked locally.
	repoURL string
}

func newChecker() *checker { return &checker{anchors: map[string]map[string]bool{}} }

var (
	// [text](target) and ![alt](target); target up to the first space or ')', an optional "title".
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)`)
	// [label]: target
	refDef   = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?`)
	codeSpan = regexp.MustCompile("`+[^`]*`+")
	anchorID = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	heading  = regexp.MustCompile(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	fence    = regexp.MustCompile("^\\s{0,3}(```|~~~)")
	// "1. " starts an ordered list item.
	orderedItem = regexp.MustCompile(`^\d+\.\s`)
)

// checkFile returns one line per broken link of file, and how many relative links it checked.
func (c *checker) checkFile(file string) (problems []string, checked int, err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	lines, err := readLines(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", file, err)
	}
	for _, l := range proseLines(lines) {
		var targets []string
		if m := refDef.FindStringSubmatch(l.text); m != nil {
			targets = append(targets, m[1])
		}
		for _, m := range inlineLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(l.text, ""), -1) {
			targets = append(targets, m[1])
		}
		for _, t := range targets {
			shown, from := t, file
			if local, ok := c.inRepo(t); ok {
				// As if linked from a file at the repository's root.
				from, t = "README.md", local
			} else if !isRelative(t) {
				continue
			}
			checked++
			if msg := c.checkTarget(from, t); msg != "" {
				problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", file, l.number, shown, msg))
			}
		}
	}
	return problems, checked, nil
}

// inRepo maps a link to one of the repository's files on GitHub's main branch to its path from the
// repository's root.
func (c *checker) inRepo(target string) (string, bool) {
	if c.repoURL == "" {
		return "", false
	}
	for _, kind := range []string{"/blob/main/", "/tree/main/"} {
		if rest, ok := strings.CutPrefix(target, c.repoURL+kind); ok && rest != "" {
			return rest, true
		}
	}
	return "", false
}

// checkTarget returns why target, linked from file, is broken, or "".
func (c *checker) checkTarget(file, target string) string {
	path, frag, _ := strings.Cut(target, "#")
	dest := file
	if path != "" {
		dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
		info, err := os.Stat(dest)
		if err != nil {
			return "no such file or directory"
		}
		if info.IsDir() {
			if frag != "" {
				return "an anchor into a directory"
			}
			return ""
		}
	}
	if frag == "" || !strings.EqualFold(filepath.Ext(dest), ".md") {
		return ""
	}
	anchors, err := c.anchorsOf(dest)
	if err != nil {
		return err.Error()
	}
	if !anchors[frag] {
		return fmt.Sprintf("%s has no heading or anchor %q", dest, frag)
	}
	return ""
}

func (c *checker) anchorsOf(file string) (map[string]bool, error) {
	if a, ok := c.anchors[file]; ok {
		return a, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lines, err := readLines(f)
	if err != nil {
		return nil, err
	}
	a := anchors(lines)
	c.anchors[file] = a
	return a, nil
}

// anchors returns the fragment identifiers a file's headings and anchor tags define.
func anchors(lines []string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, l := range proseLines(lines) {
		for _, m := range anchorID.FindAllStringSubmatch(l.text, -1) {
			out[m[1]] = true
		}
		m := heading.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		s := slug(m[2])
		if n := seen[s]; n > 0 {
			out[fmt.Sprintf("%s-%d", s, n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

var mdLink = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)

// slug is GitHub's anchor for a heading: the text as shown (link targets and markup dropped),
// lower case, letters, digits, '-', '_' and spaces kept, each space made a '-'.
func slug(text string) string {
	text = mdLink.ReplaceAllString(text, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

type line struct {
	number int
	text   string
}

// proseLines returns the lines outside fenced and indented code blocks.
func proseLines(lines []string) []line {
	var out []line
	inFence := ""
	prevBlank := true
	for i, l := range lines {
		if m := fence.FindStringSubmatch(l); m != nil {
			switch {
			case inFence == "":
				inFence = m[1]
			case m[1] == inFence:
				inFence = ""
			}
			continue
		}
		if inFence != "" {
			continue
		}
		// An indented code block starts after a blank line; indented list continuations do not.
		if prevBlank && (strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t")) && !isListContinuation(lines, i) {
			continue
		}
		prevBlank = strings.TrimSpace(l) == ""
		out = append(out, line{number: i + 1, text: l})
	}
	return out
}

// isListContinuation reports whether the indented line i belongs to a list item above it.
func isListContinuation(lines []string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			continue
		}
		return strings.HasPrefix(lines[j], " ") || strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") ||
			orderedItem.MatchString(t)
	}
	return false
}

// isRelative reports links to files of the repository: no scheme, not protocol-relative.
func isRelative(target string) bool {
	if target == "" || strings.HasPrefix(target, "//") {
		return false
	}
	if i := strings.Index(target, ":"); i > 0 && !strings.ContainsAny(target[:i], "/#.") {
		return false // http:, https:, mailto:...
	}
	return true
}

func readLines(r io.Reader) ([]string, error) {
	var lines []string
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 1024*1024), 1024*1024)
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	return lines, s.Err()
}
