-- GET the URL's path with an IAM token (X-Auth-Token), as the Huawei SDKs do after /v3/auth/tokens.
-- JUNCTION_TOKEN: the token. Requests that are not 2xx are counted by wrk itself ("Non-2xx or 3xx responses").
wrk.headers["X-Auth-Token"] = os.getenv("JUNCTION_TOKEN")
