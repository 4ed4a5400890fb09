package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// account is the unprivileged user the server runs as when the tests run
// as root.
type account struct {
	name     string
	uid, gid uint32
}

// unprivileged is the postgres system user when running as root (initdb
// and postgres refuse root), nil otherwise: the server runs as the
// current user.
func unprivileged() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, &notInstalledError{"running as root, and no postgres user to run the server as (" + err.Error() + ")"}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgtest: user postgres: uid %q gid %q", u.Uid, u.Gid)
	}
	return &account{"postgres", uint32(uid), uint32(gid)}, nil
}

// own gives dir (and what is in it) to the account.
func (a *account) own(dir string) error {
	if a == nil {
		return nil
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(a.uid), int(a.gid))
	})
}

// apply makes cmd run as the account.
func (a *account) apply(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if a == nil {
		return
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid, NoSetGroups: true}
	cmd.Env = append(os.Environ(), "HOME="+os.TempDir(), "USER="+a.name, "LOGNAME="+a.name)
}

// dieWithParent has the kernel send the server SIGQUIT (PostgreSQL's
// immediate shutdown) should the test process die without stopping it.
func dieWithParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	cmd.SysProcAttr.Setpgid = true // a Ctrl-C of go test reaches the tests, which stop it
}
