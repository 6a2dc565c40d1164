package io.gmp4j.internal.pprof;

import java.io.ByteArrayOutputStream;

/**
 * A minimal protobuf writer: varints and length-delimited fields, enough for google/pprof's
 * {@code proto/profile.proto}. Nested messages are written into their own {@code Proto} and
 * appended with {@link #message}.
 */
final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private static final int VARINT = 0, LEN = 2;

    void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void tag(int field, int wire) {
        varint(((long) field << 3) | wire);
    }

    /** An int64/uint64 field; zero is the default and is omitted, as proto3 does. */
    Proto int64(int field, long v) {
        if (v != 0) {
            tag(field, VARINT);
            varint(v);
        }
        return this;
    }

    Proto bytes(int field, byte[] b) {
        tag(field, LEN);
        varint(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    /** A string field; always written (string_table[0] must be present and empty). */
    Proto string(int field, String s) {
        return bytes(field, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto m) {
        return bytes(field, m.toByteArray());
    }

    /** A packed repeated int64/uint64 field. */
    Proto packed(int field, long[] vs) {
        if (vs.length == 0) {
            return this;
        }
        Proto p = new Proto();
        for (long v : vs) {
            p.varint(v);
        }
        return bytes(field, p.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
