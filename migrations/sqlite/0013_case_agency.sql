-- What returnees know, put to work (issue 8 item 6): a case names the
-- recruitment agency involved (an agency of the ministry's list, plain: it
-- is a public list) and the employer abroad (free text that can identify,
-- sealed under the case id); a member's returnee history names them too:
-- the agency in the plain returnee JSON object, the employer sealed under
-- the member id. An agency's figures (cases naming it whose latest
-- screening has forced-labour or trafficking indicators) are counted from
-- cases.agency_id.
ALTER TABLE cases ADD COLUMN agency_id TEXT REFERENCES agency (id);
ALTER TABLE cases ADD COLUMN employer BLOB;
CREATE INDEX cases_agency ON cases (agency_id) WHERE agency_id IS NOT NULL;
ALTER TABLE member ADD COLUMN returnee_employer BLOB;
