package meterfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/meterfile"
)

// TestParseWindows1252: a metering file saved as Windows-1252 (CRLF, "caf\xe9"
// and "caf\xe8", which encoding/json would both send as "caf\uFFFD" and hash
// alike) is refused whole, each field that is not UTF-8 named as
// FILE:LINE: column: not valid UTF-8, with how to save the file instead.
func TestParseWindows1252(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.csv")
	content := "organization,product,variable,quantity,batch\r\n" +
		org1 + ",caf\xe9,cups,1,INV-7\r\n" +
		org1 + ",caf\xe8,cups,2,INV-7\r\n" +
		org2 + ",tea,cups,3,Z\xfcrich\r\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	txs, err := meterfile.ParseFile(path)
	var le meterfile.LineErrors
	if !errors.As(err, &le) || !errors.Is(err, wrapper.ErrInvalidInput) || txs != nil {
		t.Fatalf("got %v, %v; want LineErrors and no transaction", txs, err)
	}
	hint := `: the file looks like Windows-1252; save it as "CSV UTF-8" (Excel: Save As, "CSV UTF-8 (Comma delimited)") and run again`
	want := []string{
		path + `:2: product: not valid UTF-8 (got "caf\xe9")` + hint,
		path + `:3: product: not valid UTF-8 (got "caf\xe8")` + hint,
		path + `:4: batch: not valid UTF-8 (got "Z\xfcrich")` + hint,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	// The same file saved as "CSV UTF-8" (BOM, CRLF) is read, accents intact.
	utf8 := "\ufeff" + strings.NewReplacer("\xe9", "é", "\xe8", "è", "\xfc", "ü").Replace(content)
	txs, err = meterfile.Parse("usage.csv", strings.NewReader(utf8))
	if err != nil || len(txs) != 2 || txs[0].Usage[0].Product != "café" || txs[0].Usage[1].Product != "cafè" || txs[1].Batch != "Zürich" {
		t.Fatalf("UTF-8 file: %+v, %v", txs, err)
	}
}
