-- wrk script: report a concern as the signed-in caseworker (token in TOKEN).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"location_code":"17071001","concerns":["unsafe_migration"],' ..
           '"summary":"Benchmark report","survivor":{"sex":"female","age":24},' ..
           '"consent_to_contact":false,"urgent":false}'
