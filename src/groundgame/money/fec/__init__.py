"""FEC electronic filings: the summary forms (3 and 3P), Schedules A, B and D, written as
``.fec`` files and checked against the FEC's JSON Schemas."""
