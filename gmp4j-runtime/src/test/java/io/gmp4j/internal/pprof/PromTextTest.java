package io.gmp4j.internal.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * /metrics numbers as client_golang writes them: prometheus/common's expfmt writeFloat, i.e.
 * strconv.FormatFloat(f, 'g', -1, 64) for every value, bucket count and le label. The expected
 * strings are Go 1.19's output for the same float64s.
 */
class PromTextTest {

    @Test
    void numbersAreGosShortestG() {
        double[] in = {112384736, 123456, 1234567, 1e6, 100, 6.4e-8, 0.004194304, 0.0001, 0.00012, 9223372036854775807.0,
            0.12425625600000001, 1.5, 2, 1e21, 1e20, 1e-5, 123.456, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 1.0 / 3,
            2.56e-7, 3758, 999999, 100000, 1e15, 123456.7, -2.5e-7, 0.5, 140737488355328e-9, 0, 1, -1,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        String[] go = {"1.12384736e+08", "123456", "1.234567e+06", "1e+06", "100", "6.4e-08", "0.004194304", "0.0001", "0.00012",
            "9.223372036854776e+18", "0.12425625600000001", "1.5", "2", "1e+21", "1e+20", "1e-05", "123.456", "5e-324",
            "1.7976931348623157e+308", "0.1", "0.3333333333333333", "2.56e-07", "3758", "999999", "100000", "1e+15", "123456.7",
            "-2.5e-07", "0.5", "140737.488355328", "0", "1", "-1", "+Inf", "-Inf", "NaN"};
        for (int i = 0; i < in.length; i++) {
            assertEquals(go[i], PromText.num(in[i]), "float64 " + in[i]);
        }
    }

    /** A uint64 metric is a float64 to client_golang: math.MaxUint64 (GOGC=off's gogc) is 1.8446744073709552e+19. */
    @Test
    void uint64sGoThroughFloat64() {
        assertEquals("1.8446744073709552e+19", PromText.unsigned(-1L));
        assertEquals("9.223372036854776e+18", PromText.unsigned(Long.MAX_VALUE));
        assertEquals("100", PromText.unsigned(100));
        assertEquals("0", PromText.unsigned(0));
    }
}
