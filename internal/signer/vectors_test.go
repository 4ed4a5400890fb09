package signer_test

// vectors are EXO2-HMAC-SHA256 test vectors. The first two are the ones
// published with Exoscale's Python request signer; the others cover this
// API's routes (base path, colon actions, a query, exact JSON bodies). Values
// copied from ../shared/reference/signing-vectors.json.
var vectors = []struct {
	name, key, secret, method, url, body string
	expires                              int64
	message, header                      string
}{
	{
		name:    "published test vector, no query",
		key:     "EXOxxxxxxxxxxxxxxxxxxxxxxxx",
		secret:  "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
		method:  "GET",
		url:     "https://api.exoscale.com/v2/zone",
		body:    "",
		expires: 3376684800,
		message: "GET /v2/zone\n\n\n\n3376684800",
		header:  "EXO2-HMAC-SHA256 credential=EXOxxxxxxxxxxxxxxxxxxxxxxxx,expires=3376684800,signature=Ntbq/p0HVmA3Zg1HHY+Lq1vjFGi7HeMrrgXDS5jRNlY=",
	},
	{
		name:    "published test vector, two query args",
		key:     "EXOxxxxxxxxxxxxxxxxxxxxxxxx",
		secret:  "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
		method:  "GET",
		url:     "https://api.exoscale.com/v2/zone?k1=v1&k2=v2",
		body:    "",
		expires: 3376684800,
		message: "GET /v2/zone\n\nv1v2\n\n3376684800",
		header:  "EXO2-HMAC-SHA256 credential=EXOxxxxxxxxxxxxxxxxxxxxxxxx,signed-query-args=k1;k2,expires=3376684800,signature=iqOBz13+44L5j0uJclE8hmUhQQcvtCSoPEOXYK6liqY=",
	},
	{
		name:    "list organizations",
		key:     "EXO6ed8f3b5e0c4a1b2d3c4e5f6",
		secret:  "pM3f9QbV2sLr8kT1wYz0aE7hNc4uJd6xGi5oRq2tWs",
		method:  "GET",
		url:     "https://partner-api.exoscale.com/v1.alpha/distributor/organization",
		body:    "",
		expires: 1767225600,
		message: "GET /v1.alpha/distributor/organization\n\n\n\n1767225600",
		header:  "EXO2-HMAC-SHA256 credential=EXO6ed8f3b5e0c4a1b2d3c4e5f6,expires=1767225600,signature=UtSLH50QSDLvDjTbmiZ8Q+Ry5qVIPaMK7/HoFK71AAE=",
	},
	{
		name:    "suspend organization (colon action path)",
		key:     "EXO6ed8f3b5e0c4a1b2d3c4e5f6",
		secret:  "pM3f9QbV2sLr8kT1wYz0aE7hNc4uJd6xGi5oRq2tWs",
		method:  "PUT",
		url:     "https://partner-api.exoscale.com/v1.alpha/distributor/organization/0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11:suspend",
		body:    "",
		expires: 1767225600,
		message: "PUT /v1.alpha/distributor/organization/0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11:suspend\n\n\n\n1767225600",
		header:  "EXO2-HMAC-SHA256 credential=EXO6ed8f3b5e0c4a1b2d3c4e5f6,expires=1767225600,signature=MdIEqTG1q/aQlKFsf7qiskk8chbLQBi5gpaADIzP2TU=",
	},
	{
		name:    "terminate organization",
		key:     "EXO6ed8f3b5e0c4a1b2d3c4e5f6",
		secret:  "pM3f9QbV2sLr8kT1wYz0aE7hNc4uJd6xGi5oRq2tWs",
		method:  "DELETE",
		url:     "https://partner-api.exoscale.com/v1.alpha/distributor/organization/0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11:terminate",
		body:    "",
		expires: 1767225600,
		message: "DELETE /v1.alpha/distributor/organization/0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11:terminate\n\n\n\n1767225600",
		header:  "EXO2-HMAC-SHA256 credential=EXO6ed8f3b5e0c4a1b2d3c4e5f6,expires=1767225600,signature=+J3OQVGFkY6eczKZNR95XVk/u95Eq8I+VoEH5CG1UEA=",
	},
	{
		name:    "usage with period",
		key:     "EXO6ed8f3b5e0c4a1b2d3c4e5f6",
		secret:  "pM3f9QbV2sLr8kT1wYz0aE7hNc4uJd6xGi5oRq2tWs",
		method:  "GET",
		url:     "https://partner-api.exoscale.com/v1.alpha/distributor/organization/0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11/usage?period=2025-01",
		body:    "",
		expires: 1767225600,
		message: "GET /v1.alpha/distributor/organization/0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11/usage\n\n2025-01\n\n1767225600",
		header:  "EXO2-HMAC-SHA256 credential=EXO6ed8f3b5e0c4a1b2d3c4e5f6,signed-query-args=period,expires=1767225600,signature=RG4Y5LefU7dWnkfWYJOk8VzVsrfvPiuH0x31QnGSvi4=",
	},
	{
		name:    "create organization (body bytes exactly as given)",
		key:     "EXO6ed8f3b5e0c4a1b2d3c4e5f6",
		secret:  "pM3f9QbV2sLr8kT1wYz0aE7hNc4uJd6xGi5oRq2tWs",
		method:  "POST",
		url:     "https://partner-api.exoscale.com/v1.alpha/distributor/organization",
		body:    "{\"billing-address\":{\"building-number\":\"10\",\"city\":\"Geneva\",\"country\":\"CH\",\"name\":\"ACME Corporation\",\"postal-code\":\"1217\",\"street-name\":\"Route de Meyrin\"},\"client-id\":\"crm-42\",\"display-name\":\"ACME Corporation\",\"owner-email\":\"owner@acme.example\"}",
		expires: 1767225600,
		message: "POST /v1.alpha/distributor/organization\n{\"billing-address\":{\"building-number\":\"10\",\"city\":\"Geneva\",\"country\":\"CH\",\"name\":\"ACME Corporation\",\"postal-code\":\"1217\",\"street-name\":\"Route de Meyrin\"},\"client-id\":\"crm-42\",\"display-name\":\"ACME Corporation\",\"owner-email\":\"owner@acme.example\"}\n\n\n1767225600",
		header:  "EXO2-HMAC-SHA256 credential=EXO6ed8f3b5e0c4a1b2d3c4e5f6,expires=1767225600,signature=Lr2mw1Raj+l9PKX9OI6UODNbWorZ/ZivjSNoDJtLbJk=",
	},
	{
		name:    "metering transaction",
		key:     "EXO6ed8f3b5e0c4a1b2d3c4e5f6",
		secret:  "pM3f9QbV2sLr8kT1wYz0aE7hNc4uJd6xGi5oRq2tWs",
		method:  "POST",
		url:     "https://partner-api.exoscale.com/v1.alpha/metering:apply",
		body:    "{\"organization\":\"0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11\",\"usage\":[{\"product\":\"partner\",\"quantity\":3.1415,\"variable\":\"license_product\"},{\"product\":\"partner\",\"quantity\":-42.00005,\"variable\":\"commission\"}]}",
		expires: 1767225600,
		message: "POST /v1.alpha/metering:apply\n{\"organization\":\"0b6e5b1c-8d53-4e7f-9a52-2f4f2d0c9e11\",\"usage\":[{\"product\":\"partner\",\"quantity\":3.1415,\"variable\":\"license_product\"},{\"product\":\"partner\",\"quantity\":-42.00005,\"variable\":\"commission\"}]}\n\n\n1767225600",
		header:  "EXO2-HMAC-SHA256 credential=EXO6ed8f3b5e0c4a1b2d3c4e5f6,expires=1767225600,signature=n/rzvCtYNswzzCM24ys8KBM3u3M12eHMRiXTGLedD8w=",
	},
}
