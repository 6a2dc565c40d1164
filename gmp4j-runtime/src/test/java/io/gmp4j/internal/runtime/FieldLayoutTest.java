package io.gmp4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/**
 * The objects every parked goroutine or channel pays for stay at their size classes: the G (64
 * bytes), a plain operation's sudog (32) and a channel (64). A field more moves the G or the
 * sudog to the next 8-byte class, which the mem row (bytes per parked goroutine) measures; the
 * timer's own field once made every channel 72 bytes. The size is HotSpot's with compressed
 * class pointers and oops, which fills gaps with smaller fields: a 12-byte header, then the
 * fields, rounded up to 8.
 */
class FieldLayoutTest {

    @Test
    void gSudogAndChanKeepTheirSizes() throws Exception {
        assertAtMost(G.class, 64);
        assertAtMost(Class.forName("io.gmp4j.chan.Sudog"), 32);
        assertAtMost(Class.forName("io.gmp4j.chan.Chan"), 64);
    }

    private static void assertAtMost(Class<?> c, int bytes) {
        int size = 12;
        StringBuilder fields = new StringBuilder();
        for (Class<?> k = c; k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType();
                int s = t == long.class || t == double.class ? 8
                        : t == int.class || t == float.class || !t.isPrimitive() ? 4
                        : t == short.class || t == char.class ? 2 : 1;
                size += s;
                fields.append(' ').append(f.getName()).append(':').append(s);
            }
        }
        int rounded = (size + 7) & ~7;
        assertTrue(rounded <= bytes, c.getSimpleName() + " is " + rounded + " bytes, over " + bytes + ":" + fields);
    }
}
