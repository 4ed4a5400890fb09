package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMeteringFileBatchChanged is issue 14's "I forgot a line": batch
// INV-7 applied, a row appended to it, the file run again. The run is
// refused with a bad line (exit 2), sends nothing, and the batch stays
// billed once.
func TestMeteringFileBatchChanged(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	f := newMeteringFixture(t, srv.API, 1)
	org := f.orgs[0].String()
	rows := "\ufefforganization,product,variable,quantity,batch\r\n" +
		org + ",partner,late1,10,INV-7\r\n" + org + ",partner,late2,20,INV-7\r\n"
	writeFile(t, f.file, rows)
	wantRun(t, runCLI(t, envOf(srv), f.args()...), 0, "applied")
	journal, _ := os.ReadFile(f.journal)

	writeFile(t, f.file, rows+org+",partner,late3,30,INV-7\r\n")
	srv.ResetCounts()
	r := runCLI(t, envOf(srv), f.args()...)
	want := regexp.MustCompile(`^` + regexp.QuoteMeta(f.file) + `:2: batch: INV-7 of ` + org +
		` was already sent with other rows \(applied \d{4}-\d\d-\d\dT\d\d:\d\dZ\); put new rows in a new batch\n$`)
	if r.code != 2 || r.stdout != "" || !want.MatchString(r.stderr) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and stderr matching %s", r.code, r.stdout, r.stderr, want)
	}
	if n := srv.Requests(""); n != 0 {
		t.Errorf("sent %d requests", n)
	}
	if got := len(srv.Metering(f.orgs[0])); got != 2 {
		t.Errorf("%d rows applied, want the first run's 2", got)
	}
	if now, _ := os.ReadFile(f.journal); string(now) != string(journal) {
		t.Error("a refused file changed the journal")
	}
}

// TestMeteringFileWithoutBatchWarns: without a batch column a transaction
// is its rows; the run says once that identical rows later are skipped.
func TestMeteringFileWithoutBatchWarns(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	f := newMeteringFixture(t, srv.API, 2)
	writeFile(t, f.file, "\ufefforganization,product,variable,quantity\r\n"+
		f.orgs[0].String()+",partner,license_product,1\r\n"+f.orgs[1].String()+",partner,license_product,1\r\n")
	for _, want := range []string{"applied applied", "skipped skipped"} {
		r := runCLI(t, envOf(srv), f.args()...)
		wantRun(t, r, 0, want)
		if n := strings.Count(r.stderr, "identical rows in a later run will be skipped as already applied"); n != 1 ||
			!strings.HasPrefix(r.stderr, "exopartner: metering-transaction: warning: "+f.file+" has no batch column") ||
			strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("stderr: %q; want one warning line", r.stderr)
		}
	}
}
