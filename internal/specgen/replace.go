package specgen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReplaceDir makes dir hold exactly files (base names to contents). They
// are written into a new directory beside dir, which then takes dir's
// place: until every file is written dir is untouched, and a file in dir
// that files does not name does not survive.
func ReplaceDir(dir string, files map[string][]byte) (err error) {
	parent, base := filepath.Split(filepath.Clean(dir))
	if parent == "" {
		parent = "."
	}
	// A name starting with "." is invisible to `go build ./...`.
	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for name, data := range files {
		if name != filepath.Base(name) {
			return fmt.Errorf("%s: not a file name", name)
		}
		if err := writeSynced(filepath.Join(tmp, name), data); err != nil {
			return err
		}
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	} else if err == nil {
		defer func() {
			if err != nil {
				_ = os.Rename(old, dir) // put the previous one back
				return
			}
			_ = os.RemoveAll(old)
		}()
	}
	return os.Rename(tmp, dir)
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Sync(), f.Close())
}

// StageFile writes data into a new file beside path, invisible to the go
// command (its name starts with "."), and returns a function that moves it
// into path's place and one that removes it: a file written with others is
// put in place only once all of them are written.
func StageFile(path string, data []byte) (commit func() error, discard func(), err error) {
	dir, base := filepath.Split(filepath.Clean(path))
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".new-")
	if err != nil {
		return nil, nil, err
	}
	tmp := f.Name()
	discard = func() { _ = os.Remove(tmp) }
	_, err = f.Write(data)
	if err = errors.Join(err, f.Chmod(0o644), f.Sync(), f.Close()); err != nil {
		discard()
		return nil, nil, err
	}
	commit = func() error {
		if err := os.Rename(tmp, path); err != nil {
			discard()
			return err
		}
		return nil
	}
	return commit, discard, nil
}
