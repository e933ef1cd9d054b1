package hostcompat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// modVersion is a module path and version as `go mod edit -json` prints them.
type modVersion struct {
	Path    string
	Version string
}

// modFile is the part of `go mod edit -json` output that alignment needs.
type modFile struct {
	Require []modVersion
	Replace []struct {
		Old modVersion
		New modVersion
	}
}

// maxAlignPasses bounds how often module versions are re-aligned: changing one
// module can bring in another that the host also links.
const maxAlignPasses = 3

// prepareModFile copies the plugin's go.mod and go.sum from srcDir into tmpDir as
// plugin.mod and plugin.sum, adds the host's module hashes to the sum file, and
// returns the path of the copy for go build -modfile.
func prepareModFile(srcDir, tmpDir string, host *Facts) (string, error) {
	mod, err := os.ReadFile(filepath.Join(srcDir, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("hostcompat: AlignOptions.SourceDir must be the plugin's "+
			"module root, holding go.mod: %w", err)
	}
	sum, err := os.ReadFile(filepath.Join(srcDir, "go.sum"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("hostcompat: reading the plugin's go.sum: %w", err)
	}
	modPath := filepath.Join(tmpDir, "plugin.mod")
	if err := os.WriteFile(modPath, mod, 0o644); err != nil {
		return "", fmt.Errorf("hostcompat: writing temporary go.mod: %w", err)
	}
	sumPath := filepath.Join(tmpDir, "plugin.sum")
	if err := os.WriteFile(sumPath, mergeSums(sum, host.Deps), 0o644); err != nil {
		return "", fmt.Errorf("hostcompat: writing temporary go.sum: %w", err)
	}
	return modPath, nil
}

// mergeSums returns sum with a line added for every module in deps whose content hash
// is known and not yet listed, so the go command checks downloads against the exact
// content the host was built from.
func mergeSums(sum []byte, deps []Module) []byte {
	have := make(map[string]bool)
	sc := bufio.NewScanner(bytes.NewReader(sum))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 {
			have[f[0]+" "+f[1]] = true
		}
	}
	out := bytes.Clone(sum)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for _, d := range deps {
		m := d.Effective()
		key := m.Path + " " + m.Version
		if m.Version == "" || m.Sum == "" || have[key] {
			continue
		}
		have[key] = true
		out = append(out, key+" "+m.Sum+"\n"...)
	}
	return out
}

// alignModules edits the temporary module file until every module both the plugin
// and host require is at the host's version and replacement.
func alignModules(ctx context.Context, g *goTool, host *Facts, modPath string) error {
	var pending []string
	for pass := 0; pass < maxAlignPasses; pass++ {
		out, err := g.output(ctx, "mod", "edit", "-json", "-modfile="+modPath)
		if err != nil {
			return err
		}
		var mf modFile
		if err := json.Unmarshal([]byte(out), &mf); err != nil {
			return fmt.Errorf("hostcompat: decoding go mod edit -json output: %w", err)
		}
		edits, gets, err := moduleEdits(host, mf)
		if err != nil {
			return err
		}
		if len(edits) == 0 && len(gets) == 0 {
			return nil
		}
		if len(edits) > 0 {
			args := append([]string{"mod", "edit", "-modfile=" + modPath}, edits...)
			if err := g.run(ctx, args...); err != nil {
				return err
			}
		}
		if len(gets) > 0 {
			if err := g.run(ctx, append([]string{"get", "-modfile=" + modPath}, gets...)...); err != nil {
				return err
			}
		}
		pending = append(edits, gets...)
	}
	return fmt.Errorf("hostcompat: module versions did not settle on the host's after %d "+
		"passes; still changing: %s", maxAlignPasses, strings.Join(pending, " "))
}

// moduleEdits returns the go mod edit flags and go get arguments that give a plugin
// module file the host's copy of every module both require.
func moduleEdits(host *Facts, mf modFile) (edits, gets []string, err error) {
	required := make(map[string]string, len(mf.Require))
	for _, r := range mf.Require {
		required[r.Path] = r.Version
	}
	replaced := make(map[string]modVersion)
	replacedOld := make(map[string]modVersion)
	for _, r := range mf.Replace {
		replaced[r.Old.Path] = r.New
		replacedOld[r.Old.Path] = r.Old
	}
	for _, hd := range host.Deps {
		version, ok := required[hd.Path]
		if !ok {
			continue
		}
		cur, isReplaced := replaced[hd.Path]
		switch {
		case hd.Replace != nil && hd.Replace.Version == "":
			if !isReplaced || cur.Path != hd.Replace.Path {
				return nil, nil, fmt.Errorf("hostcompat: the host replaces %s with the "+
					"local directory %s; add the same replace directive to the plugin's "+
					"go.mod and build from an identical copy", hd.Path, hd.Replace.Path)
			}
		case hd.Replace != nil:
			want := modVersion{hd.Replace.Path, hd.Replace.Version}
			if !isReplaced || cur != want {
				edits = append(edits, "-replace="+hd.Path+"="+want.Path+"@"+want.Version)
			}
		case isReplaced:
			old := replacedOld[hd.Path]
			target := old.Path
			if old.Version != "" {
				target += "@" + old.Version
			}
			edits = append(edits, "-dropreplace="+target)
		}
		if version != hd.Version {
			gets = append(gets, hd.Path+"@"+hd.Version)
		}
	}
	return edits, gets, nil
}
