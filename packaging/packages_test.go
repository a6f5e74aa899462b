// Package packaging holds what make package builds the packages from; its
// tests check the packages make package left in dist/.
package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// built is the one file of dist/ that matches pattern; the test is skipped
// when make package has not run.
func built(t *testing.T, pattern string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "dist", pattern))
	switch len(files) {
	case 0:
		t.Skipf("no dist/%s: run make package", pattern)
	case 1:
		return files[0]
	}
	t.Fatalf("more than one dist/%s: %v", pattern, files)
	return ""
}

func command(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestSportellodDeb: the server's .deb holds the binary, the hardened unit
// and the settings as a conffile, and the binary says the package's
// version. As root (and not -short) it is installed for real with dpkg -i:
// the system user and /var/lib/sportellod appear, systemd-analyze verify
// passes on the installed unit, the installed sportellod answers
// --version; then it is purged. Otherwise it is unpacked with dpkg-deb -x.
func TestSportellodDeb(t *testing.T) {
	deb := built(t, "sportellod_*.deb")
	version := strings.TrimSpace(command(t, "dpkg-deb", "-f", deb, "Version"))
	if got := command(t, "dpkg-deb", "--ctrl-tarfile", deb); got == "" {
		t.Fatal("no control archive")
	}
	dir := t.TempDir()
	command(t, "dpkg-deb", "-e", deb, filepath.Join(dir, "DEBIAN"))
	if conf, _ := os.ReadFile(filepath.Join(dir, "DEBIAN", "conffiles")); strings.TrimSpace(string(conf)) != "/etc/sportellod/sportellod.yaml" {
		t.Errorf("conffiles %q", conf)
	}
	root := filepath.Join(dir, "root")
	command(t, "dpkg-deb", "-x", deb, root)
	for _, f := range []string{"usr/bin/sportellod", "etc/sportellod/sportellod.yaml", "lib/systemd/system/sportellod.service", "usr/share/doc/sportellod/README.Debian", "var/lib/sportellod"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("the package lacks /%s", f)
		}
	}
	unit, err := os.ReadFile(filepath.Join(root, "lib/systemd/system/sportellod.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ExecStart=/usr/bin/sportellod serve --config /etc/sportellod/sportellod.yaml", "User=sportellod", "NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=sportellod"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("the unit lacks %s", want)
		}
	}
	if got := strings.TrimSpace(command(t, filepath.Join(root, "usr/bin/sportellod"), "--version")); got != "sportellod "+version {
		t.Errorf("unpacked sportellod --version = %q, want the package's version %q", got, version)
	}

	if os.Getuid() != 0 || testing.Short() {
		// Not root: the unit is verified against the unpacked binary.
		local := filepath.Join(dir, "sportellod.service")
		text := strings.ReplaceAll(string(unit), "/usr/bin/sportellod", filepath.Join(root, "usr/bin/sportellod"))
		if err := os.WriteFile(local, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		command(t, "systemd-analyze", "verify", local)
		return
	}
	if _, err := os.Stat("/usr/bin/sportellod"); err == nil {
		t.Skip("sportellod is installed on this machine: not touching it")
	}
	t.Cleanup(func() { exec.Command("dpkg", "--purge", "sportellod").Run() })
	command(t, "dpkg", "-i", deb)
	if got := strings.TrimSpace(command(t, "sportellod", "--version")); got != "sportellod "+version {
		t.Errorf("installed sportellod --version = %q, want %q", got, version)
	}
	if out := command(t, "getent", "passwd", "sportellod"); !strings.Contains(out, "/var/lib/sportellod") {
		t.Errorf("system user: %s", out)
	}
	if out := command(t, "stat", "-c", "%U:%G %a", "/var/lib/sportellod", "/etc/sportellod/sportellod.yaml"); out != "sportellod:sportellod 750\nroot:sportellod 640\n" {
		t.Errorf("ownership:\n%s", out)
	}
	command(t, "systemd-analyze", "verify", "/lib/systemd/system/sportellod.service")
}

// TestDeskMSI: msiinfo lists the desk's files, the Start-menu shortcut and
// a per-machine installation.
func TestDeskMSI(t *testing.T) {
	msi := built(t, "sportello_*_x64.msi")
	if _, err := exec.LookPath("msiinfo"); err != nil {
		t.Skip("msiinfo (msitools) is not installed")
	}
	if out := command(t, "msiinfo", "suminfo", msi); !strings.Contains(out, "Template: x64;") {
		t.Errorf("summary (platform):\n%s", out)
	}
	files := command(t, "msiinfo", "export", msi, "File")
	for _, f := range []string{"sportello.exe", "sportello.com", "config.example.yaml"} {
		if !strings.Contains(files, f) {
			t.Errorf("the MSI lacks %s:\n%s", f, files)
		}
	}
	if out := command(t, "msiinfo", "export", msi, "Shortcut"); !strings.Contains(out, "ProgramMenuFolder") || !strings.Contains(out, "Sportello") {
		t.Errorf("no Start-menu shortcut:\n%s", out)
	}
	props := command(t, "msiinfo", "export", msi, "Property")
	if !strings.Contains(props, "ALLUSERS\t1") {
		t.Errorf("not per machine:\n%s", props)
	}
	dirs := command(t, "msiinfo", "export", msi, "Directory")
	for _, d := range []string{"ProgramFiles64Folder", "CommonAppDataFolder"} {
		if !strings.Contains(dirs, d) {
			t.Errorf("no %s in the directories:\n%s", d, dirs)
		}
	}
}

// TestLinuxDesk: fyne package's tar.xz and the desk's .deb carry the
// binary, the .desktop entry and the icon.
func TestLinuxDesk(t *testing.T) {
	tarball := built(t, "sportello_*_linux_*.tar.xz")
	list := command(t, "tar", "-tJf", tarball)
	for _, f := range []string{"usr/local/bin/sportello", ".desktop", "usr/local/share/pixmaps/"} {
		if !strings.Contains(list, f) {
			t.Errorf("the tar.xz lacks %s:\n%s", f, list)
		}
	}
	deb := built(t, "sportello_*_*.deb")
	contents := command(t, "dpkg-deb", "-c", deb)
	for _, f := range []string{"./usr/bin/sportello", "./usr/share/applications/", "./usr/share/pixmaps/"} {
		if !strings.Contains(contents, f) {
			t.Errorf("the desk's .deb lacks %s:\n%s", f, contents)
		}
	}
}
