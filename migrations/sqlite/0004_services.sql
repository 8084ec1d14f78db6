-- The service directory: what each provider offers, where, to whom. areas
-- holds the gazetteer codes a service covers (a village, commune, district
-- or province, or the country); an empty array is a national service.
-- languages holds language codes (km, en, th, ...).
CREATE TABLE service (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organization (id),
    type            TEXT NOT NULL CHECK (type IN ('psychosocial', 'legal', 'shelter', 'health',
                                                  'police', 'livelihood', 'education',
                                                  'repatriation', 'child_protection',
                                                  'financial', 'other')),
    name            TEXT NOT NULL,
    location_code   TEXT REFERENCES location (code),
    areas           TEXT NOT NULL DEFAULT '[]'
                    CONSTRAINT service_areas
                    CHECK (json_valid(areas) AND json_type(areas) = 'array'),
    contact         TEXT,
    hours           TEXT,
    languages       TEXT NOT NULL DEFAULT '[]'
                    CONSTRAINT service_languages
                    CHECK (json_valid(languages) AND json_type(languages) = 'array'),
    eligibility     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX service_name ON service (name, id);
CREATE INDEX service_org ON service (organization_id);
