import { sql } from 'drizzle-orm'
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uuid,
  vector,
} from 'drizzle-orm/pg-core'

import {
  createdAt,
  documentKindEnum,
  documentScopeEnum,
  documentStatusEnum,
  timestamps,
  timestamptz,
  tsvector,
} from './common.js'
import { users } from './users.js'

/**
 * Embedding width. 768 is Gemini's native size and what OpenAI text-embedding-3 returns with
 * `dimensions: 768`; the offline embedder produces the same width, so all providers share one column.
 */
export const EMBEDDING_DIMENSIONS = 768

export interface UploadDocumentMetadata {
  title?: string
  /** Detected language of the text (ISO 639-1). */
  language?: string
  /** Images only. */
  width?: number
  height?: number
  /** Parser used to extract text (e.g. 'pdf', 'docx', 'html', 'ocr'). */
  parser?: string
  chunkCount?: number
  [key: string]: unknown
}

/** Uploaded files (instructor material and learner uploads). The bytes live in storage under `storage_key`. */
export const uploadDocuments = pgTable(
  'upload_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: documentKindEnum('kind').notNull(),
    scope: documentScopeEnum('scope').notNull(),
    originalFilename: text('original_filename').notNull(),
    /** Server-chosen name in storage; never derived from the client's filename. */
    storageKey: text('storage_key').notNull().unique('upload_documents_storage_key_unique'),
    /** Type detected from the content, not the one the client claimed. */
    mimeType: text('mime_type').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    status: documentStatusEnum('status').notNull().default('uploaded'),
    error: text('error'),
    pageCount: integer('page_count'),
    metadata: jsonb('metadata').$type<UploadDocumentMetadata>().notNull().default({}),
    processedAt: timestamptz('processed_at'),
    ...timestamps(),
  },
  (t) => [
    index('upload_documents_owner_created_idx').on(t.ownerId, t.createdAt),
    // duplicate-upload detection per owner
    index('upload_documents_owner_sha256_idx').on(t.ownerId, t.sha256),
  ],
)

/**
 * Parsed, chunked text of a document with its embedding and a Norwegian full-text vector, for hybrid
 * (vector + keyword) retrieval.
 */
export const documentChunks = pgTable(
  'document_chunks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    documentId: uuid('document_id')
      .notNull()
      .references(() => uploadDocuments.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    /** Page (or slide) the chunk starts on, for citations; null when the format has no pages. */
    pageNumber: integer('page_number'),
    heading: text('heading'),
    content: text('content').notNull(),
    tokenCount: integer('token_count'),
    embedding: vector('embedding', { dimensions: EMBEDDING_DIMENSIONS }),
    /** Model that produced `embedding` (e.g. 'gemini-embedding-001', 'text-embedding-3-small', 'offline-hash-v1'); vectors from different models must not be compared. */
    embeddingModel: text('embedding_model'),
    tsv: tsvector('tsv').generatedAlwaysAs(
      sql`to_tsvector('avaaz_nb'::regconfig, coalesce("heading", '') || ' ' || "content")`,
    ),
    createdAt: createdAt(),
  },
  (t) => [
    unique('document_chunks_document_position_unique').on(t.documentId, t.position),
    index('document_chunks_embedding_hnsw_idx').using('hnsw', t.embedding.op('vector_cosine_ops')),
    index('document_chunks_tsv_gin_idx').using('gin', t.tsv),
  ],
)

export type UploadDocument = typeof uploadDocuments.$inferSelect
export type NewUploadDocument = typeof uploadDocuments.$inferInsert
export type DocumentChunk = typeof documentChunks.$inferSelect
export type NewDocumentChunk = typeof documentChunks.$inferInsert
