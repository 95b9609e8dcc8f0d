-- Extensions and text search configuration the data model depends on. Idempotent, so it is safe on
-- databases where an operator already created them.
-- pgvector: document_chunks.embedding (vector(768)) and its HNSW index.
CREATE EXTENSION IF NOT EXISTS vector;
--> statement-breakpoint
-- Norwegian (Bokmål) full-text search: document_chunks.tsv is generated with 'avaaz_nb'. A dedicated
-- configuration (a copy of pg_catalog.norwegian) lets us add dictionaries later (synonyms, unaccent)
-- without touching the generated column.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_ts_config
    WHERE cfgname = 'avaaz_nb' AND cfgnamespace = 'public'::regnamespace
  ) THEN
    CREATE TEXT SEARCH CONFIGURATION public.avaaz_nb ( COPY = pg_catalog.norwegian );
  END IF;
END
$$;
