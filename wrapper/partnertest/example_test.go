package partnertest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/exopartner/exopartner/internal/signer"
	"github.com/exopartner/exopartner/wrapper"
	"github.com/exopartner/exopartner/wrapper/partnertest"
)

// send signs and sends one request to srv, the way a client does.
func send(srv *partnertest.Server, method, path, body string) *http.Response {
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if err := signer.New(srv.Key(), srv.Secret()).Sign(req); err != nil {
		panic(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	return resp
}

func Example() {
	srv := partnertest.NewServer()
	defer srv.Close()

	resp := send(srv, "POST", "/distributor/organization", `{"display-name":"Acme","owner-email":"it@acme.example",
		"billing-address":{"name":"Acme SA","country":"CH","city":"Lausanne","postal-code":"1003","street-name":"Rue du Lac"}}`)
	resp.Body.Close()
	fmt.Println(resp.Status)

	org := srv.Organizations()[0]
	fmt.Println(org.Status, org.BillingAddress.City)
	fmt.Println(srv.Requests("create-distributor-organization"), srv.Applied("create-distributor-organization"))
	// Output:
	// 200 OK
	// active Lausanne
	// 1 1
}

func ExampleAPI_InjectFault() {
	srv := partnertest.NewServer()
	defer srv.Close()

	// The next two lists are throttled, then the API recovers.
	srv.InjectFault("list-distributor-organizations", 2, partnertest.Fault{Status: 429, RetryAfter: "1"})
	for range 3 {
		resp := send(srv, "GET", "/distributor/organization", "")
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), string(body))
	}
	// Output:
	// 429 1 {"message":"partnertest: injected fault: 429 Too Many Requests"}
	// 429 1 {"message":"partnertest: injected fault: 429 Too Many Requests"}
	// 200  {"organizations":[]}
}

func ExampleWithoutAnswerValidation() {
	// A fake serving a benchmark's fan-out: its own answers are not checked
	// against the spec, which spares a third of its processor time; requests
	// still are, and one that breaks the contract is still answered 400.
	srv := partnertest.NewServer(partnertest.WithoutAnswerValidation())
	defer srv.Close()
	id := srv.AddOrganizations(1)[0]
	for _, period := range []string{"2025-03", "2025-13"} {
		resp := send(srv, "GET", "/distributor/organization/"+id.String()+"/usage?period="+period, "")
		resp.Body.Close()
		fmt.Println(period, resp.StatusCode)
	}
	// Output:
	// 2025-03 200
	// 2025-13 400
}

func ExampleFault_afterAction() {
	srv := partnertest.NewServer()
	defer srv.Close()

	// The create is carried out, but the client only sees a 502.
	srv.InjectFault("create-distributor-organization", 1, partnertest.Fault{Status: 502, AfterAction: true})
	resp := send(srv, "POST", "/distributor/organization", `{"display-name":"Acme","owner-email":"it@acme.example",
		"billing-address":{"name":"Acme SA","country":"CH","city":"Lausanne","postal-code":"1003","street-name":"Rue du Lac"}}`)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, len(srv.Organizations()), srv.Applied("create-distributor-organization"))
	// Output:
	// 502 1 1
}

func ExampleAPI_AddOrganizations() {
	api := partnertest.NewAPI()
	ids := api.AddOrganizations(10_000)
	fmt.Println(len(ids), len(api.Organizations()))
	// Output:
	// 10000 10000
}

func ExampleAPI_Seed() {
	srv := partnertest.NewServer()
	defer srv.Close()

	// Seed an organization exactly as a test needs it: any status, any field.
	org := srv.Seed(wrapper.Organization{
		ID:       wrapper.MustParseID("5b0c2a9e-1f6d-4c3b-9a8e-7d6c5b4a3f21"),
		Status:   wrapper.StatusSuspended,
		ClientID: "crm-7",
		BillingAddress: wrapper.BillingAddress{Name: "Gletscher AG", StreetName: "Bahnhofstrasse",
			City: "Zermatt", PostalCode: "3920", Country: "CH"},
	})

	// The client reads back the same value, of the same type.
	client, err := wrapper.New(wrapper.WithCredentials(srv.Key(), srv.Secret()), wrapper.WithEndpoint(srv.URL))
	if err != nil {
		panic(err)
	}
	got, err := client.GetOrganization(context.Background(), org.ID)
	fmt.Println(reflect.DeepEqual(got, org), err)
	fmt.Println(got.Status, got.ClientID)
	// Output:
	// true <nil>
	// suspended crm-7
}
