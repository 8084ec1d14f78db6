-- The service directory: what each provider offers, where, to whom. areas
-- holds the gazetteer codes a service covers (a village, commune, district
-- or province, or the country); an empty array is a national service.
-- languages holds language codes (km, en, th, ...). The same table as
-- migrations/sqlite/0004_services.sql.
CREATE TABLE service (
    id              text COLLATE "C" PRIMARY KEY,
    organization_id text COLLATE "C" NOT NULL REFERENCES organization (id),
    type            text COLLATE "C" NOT NULL
                    CHECK (type IN ('psychosocial', 'legal', 'shelter', 'health', 'police',
                                    'livelihood', 'education', 'repatriation',
                                    'child_protection', 'financial', 'other')),
    name            text COLLATE "C" NOT NULL,
    location_code   text COLLATE "C" REFERENCES location (code),
    areas           text COLLATE "C" NOT NULL DEFAULT '[]'
                    CONSTRAINT service_areas
                    CHECK (cbpn_json_type(areas) = 'array'),
    contact         text COLLATE "C",
    hours           text COLLATE "C",
    languages       text COLLATE "C" NOT NULL DEFAULT '[]'
                    CONSTRAINT service_languages
                    CHECK (cbpn_json_type(languages) = 'array'),
    eligibility     text COLLATE "C",
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    version         bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX service_name ON service (name, id);
CREATE INDEX service_org ON service (organization_id);
