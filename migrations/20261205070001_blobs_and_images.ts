// Shared storage for files any web or worker process may need (1C exchange uploads, message
// attachments, product pictures), so no two processes have to share a disk:
// - blob_objects / blob_chunks: the PostgreSQL blob store (BLOB_STORE=postgres). An object is a
//   key and a committed size; its bytes are bytea chunks at their offsets, written and read one
//   chunk at a time (a 1 GB upload is never held in memory). Chunks at or past `size` are the
//   leftovers of an append that did not finish: readers ignore them, the next append removes them.
// - images: pictures of mirrored products, content-addressed (sha256 of the bytes; the bytes
//   are the blob `images/<sha256>`), with what the image library read from them.
// - source_images: what a picture path an accounting system sent (1C's `import_files/…`)
//   resolved to, so a later package that names the picture without sending it again still finds it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE blob_objects (
      id bigserial PRIMARY KEY,
      key text NOT NULL UNIQUE,
      size bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE blob_chunks (
      object_id bigint NOT NULL REFERENCES blob_objects(id) ON DELETE CASCADE,
      off bigint NOT NULL,
      len integer NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (object_id, off)
    );
    -- zips and pictures are compressed already: store chunks out of line without trying again
    ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
    CREATE TABLE images (
      sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      content_type text NOT NULL,
      width integer NOT NULL,
      height integer NOT NULL,
      bytes bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE source_images (
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      path text NOT NULL,
      sha256 text NOT NULL REFERENCES images(sha256),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source_id, path)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP TABLE IF EXISTS source_images, images, blob_chunks, blob_objects`);
}
