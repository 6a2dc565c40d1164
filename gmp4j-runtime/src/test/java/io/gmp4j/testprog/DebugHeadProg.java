package io.gmp4j.testprog;

import io.gmp4j.debug.Debug;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * A program for DebugServerTest: serves, asks itself HEAD of each path in args and prints
 * "path status length" per answer on stdout; whatever else it prints is the server's.
 */
public final class DebugHeadProg {
    private DebugHeadProg() {}

    public static void main(String[] args) throws Exception {
        InetSocketAddress addr = Debug.serve(":0");
        for (String path : args) {
            URI u = URI.create("http://127.0.0.1:" + addr.getPort() + path);
            HttpURLConnection c = (HttpURLConnection) u.toURL().openConnection();
            c.setRequestMethod("HEAD");
            try {
                System.out.println(path + " " + c.getResponseCode() + " " + c.getContentLengthLong());
            } finally {
                c.disconnect();
            }
        }
    }
}
