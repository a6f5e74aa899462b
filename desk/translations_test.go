package desk

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"sportello/assets"
	"sportello/fault"
)

// readTranslations returns the keys and texts of one language: its main file
// (it.json) merged with the files of each area (queue.it.json, ...).
func readTranslations(tb testing.TB, language string) map[string]string {
	tb.Helper()
	entries, err := assets.Translations.ReadDir(assets.TranslationsDir)
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if name != language+".json" && !strings.HasSuffix(name, "."+language+".json") {
			continue
		}
		data, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		var part map[string]string
		if err := json.Unmarshal(data, &part); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				tb.Errorf("%s: %q is also in another %s file", name, k, language)
			}
			m[k] = v
		}
	}
	return m
}

var templateField = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func fieldsOf(s string) []string {
	var out []string
	for _, m := range templateField.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestTranslationFilesAgree checks that Italian and English hold the same
// keys, no empty text, and the same template fields as the key: a missing
// field would print "<no value>" to the clerk.
func TestTranslationFilesAgree(t *testing.T) {
	it, en := readTranslations(t, "it"), readTranslations(t, "en")
	for _, tc := range []struct {
		name      string
		have, not map[string]string
	}{
		{"it", it, en},
		{"en", en, it},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.have {
				if _, ok := tc.not[k]; !ok {
					t.Errorf("%q is in %s.json only", k, tc.name)
				}
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s.json: %q has no text", tc.name, k)
				}
				if !strings.Contains(k, "{{") {
					continue
				}
				if got, want := fieldsOf(v), fieldsOf(k); !slices.Equal(got, want) {
					t.Errorf("%s.json: %q uses fields %v, the key %v", tc.name, k, got, want)
				}
			}
		})
	}
}

// langKeys returns the keys the desk's own code asks lang for: the literal
// first argument of lang.L and lang.X, and the ".m"/".f" keys of bySex
// (the register's codes are registry's Labels, checked there).
func langKeys(tb testing.TB) map[string]token.Position {
	tb.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		tb.Fatal(err)
	}
	keys := map[string]token.Position{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			tb.Fatal(err)
		}
		for _, decl := range f.Decls {
			// translated, bySex and label are the only functions that may
			// pass a key built at run time.
			dynamic := false
			if fd, ok := decl.(*ast.FuncDecl); ok {
				dynamic = fd.Name.Name == "translated" || fd.Name.Name == "bySex" || fd.Name.Name == "label"
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var key string
				var suffixes []string
				switch fn := call.Fun.(type) {
				case *ast.SelectorExpr:
					if pkg, ok := fn.X.(*ast.Ident); ok && pkg.Name == "lang" && (fn.Sel.Name == "L" || fn.Sel.Name == "X") && len(call.Args) > 0 {
						key = stringLit(call.Args[0])
						if key == "" && !dynamic {
							tb.Errorf("%s: lang.%s with a key that is not a string literal", fset.Position(call.Pos()), fn.Sel.Name)
						}
					}
				case *ast.Ident:
					if fn.Name == "bySex" && len(call.Args) > 1 {
						key, suffixes = stringLit(call.Args[1]), []string{".m", ".f"}
					}
				}
				switch {
				case key == "":
				case suffixes == nil:
					keys[key] = fset.Position(call.Pos())
				default:
					for _, s := range suffixes {
						keys[key+s] = fset.Position(call.Pos())
					}
				}
				return true
			})
		}
	}
	return keys
}

func stringLit(e ast.Expr) string {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return ""
	}
	return s
}

// TestDeskStringsTranslated checks that every string the desk shows has an
// Italian translation.
func TestDeskStringsTranslated(t *testing.T) {
	it := readTranslations(t, "it")
	keys := langKeys(t)
	if len(keys) < 50 {
		t.Fatalf("found only %d lang keys in the desk's code: the scan is broken", len(keys))
	}
	for k, pos := range keys {
		if _, ok := it[k]; !ok {
			t.Errorf("%s: %q has no Italian translation", pos, k)
		}
	}
}

// domainMessages returns the message keys the module's packages pass to
// fault.New: string literals, and constants of the same package.
func domainMessages(tb testing.TB, root string) map[string]token.Position {
	tb.Helper()
	fset := token.NewFileSet()
	byDir := map[string][]*ast.File{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil // a file another engineer is writing; the compiler reports it
		}
		byDir[filepath.Dir(path)] = append(byDir[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	msgs := map[string]token.Position{fault.GenericMessage: {Filename: "fault/fault.go"}}
	for _, files := range byDir {
		consts := map[string]string{}
		for _, f := range files {
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if s := stringLit(vs.Values[i]); s != "" {
								consts[name.Name] = s
							}
						}
					}
				}
			}
		}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) < 2 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "New" {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "fault" {
					return true
				}
				msg := stringLit(call.Args[1])
				if id, ok := call.Args[1].(*ast.Ident); ok {
					msg = consts[id.Name]
				}
				if msg == "" {
					tb.Logf("%s: fault.New with a message that is neither a literal nor a constant", fset.Position(call.Pos()))
					return true
				}
				msgs[msg] = fset.Position(call.Pos())
				return true
			})
		}
	}
	return msgs
}

// TestDomainMessagesTranslated checks that every domain error a clerk can
// meet, from any package, reads in Italian.
func TestDomainMessagesTranslated(t *testing.T) {
	it := readTranslations(t, "it")
	msgs := domainMessages(t, "..")
	if len(msgs) < 10 {
		t.Fatalf("found only %d domain messages: the scan is broken", len(msgs))
	}
	for m, pos := range msgs {
		if _, ok := it[m]; !ok {
			t.Errorf("%s: %q has no Italian translation", pos, m)
		}
	}
}

// TestSetupLanguage checks that the language asked for wins over the system
// locale, and that the locale variables are left as they were.
func TestSetupLanguage(t *testing.T) {
	t.Cleanup(func() {
		if err := SetupLanguage("it"); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		name, env, language, want string
	}{
		{"italian on a C system", "C", "it", "Anagrafe"},
		{"italian by default on an English system", "en_US.UTF-8", "", "Anagrafe"},
		{"english on an Italian system", "it_IT.UTF-8", "en", "Registry"},
		{"italian on a German system", "de_DE.UTF-8", "it", "Anagrafe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LC_ALL", tc.env)
			t.Setenv("LANG", tc.env)
			t.Setenv("LANGUAGE", "") // restored at the end of the test
			if err := os.Unsetenv("LANGUAGE"); err != nil {
				t.Fatal(err)
			}
			if err := SetupLanguage(tc.language); err != nil {
				t.Fatal(err)
			}
			if got := lang.L("Registry"); got != tc.want {
				t.Errorf("lang.L(Registry) = %q, want %q", got, tc.want)
			}
			if got := os.Getenv("LC_ALL"); got != tc.env {
				t.Errorf("LC_ALL = %q after SetupLanguage, want it back to %q", got, tc.env)
			}
			if _, set := os.LookupEnv("LANGUAGE"); set {
				t.Error("LANGUAGE is set after SetupLanguage; it was not before")
			}
		})
	}
	if err := SetupLanguage("fr"); err == nil {
		t.Error("SetupLanguage(fr) gave no error; there is no French translation")
	}
}
