// A short load test against a running server, with nothing but the JDK (Java 17+ runs a
// single source file directly):
//
//   java load/LoadTest.java [BASE_URL] [SECONDS] [CONCURRENCY]
//   java load/LoadTest.java http://127.0.0.1:8080 30 16      (what `make load` runs)
//
// It registers one user, logs in once (the password hash is deliberately slow, so it stays out
// of the loop), then CONCURRENCY clients repeat create -> read -> list -> complete -> delete on
// the task API for SECONDS, and prints throughput, latency percentiles and the status counts.
// Any answer other than the expected status is counted as an error; the exit code is 1 if any.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class LoadTest {

  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
  private static final Pattern TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

  /** What one client saw: a latency per request, and the answers by status. */
  record Tally(long[] latenciesNanos, int count, Map<Integer, Integer> statuses, int errors) {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    String email = "load-" + UUID.randomUUID() + "@example.com";
    String credentials = "{\"email\": \"" + email + "\", \"password\": \"load-test-password\"}";
    expect(201, send(http, base, "POST", "/api/v1/auth/register", null, credentials));
    HttpResponse<String> login = send(http, base, "POST", "/api/v1/auth/login", null, credentials);
    expect(200, login);
    Matcher token = TOKEN.matcher(login.body());
    if (!token.find()) {
      throw new IllegalStateException("no access_token in " + login.body());
    }
    String auth = "Bearer " + token.group(1);

    System.out.printf(
        "%d clients for %d s against %s (create, read, list, complete, delete)%n",
        concurrency, seconds, base);
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    List<Future<Tally>> clients = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      clients.add(pool.submit(() -> client(http, base, auth, deadline)));
    }
    List<Tally> tallies = new ArrayList<>();
    for (Future<Tally> client : clients) {
      tallies.add(client.get());
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    pool.shutdown();
    report(tallies, elapsed);
  }

  /** One client's loop until the deadline: the life of one task, five requests. */
  private static Tally client(HttpClient http, URI base, String auth, long deadline) {
    long[] latencies = new long[1024];
    int count = 0;
    int errors = 0;
    Map<Integer, Integer> statuses = new TreeMap<>();
    while (System.nanoTime() < deadline) {
      String id = null;
      String[][] steps = {
        {"POST", "/api/v1/tasks", "{\"title\": \"load\"}", "201"},
        {"GET", "/api/v1/tasks/{id}", null, "200"},
        {"GET", "/api/v1/tasks?limit=20&offset=0", null, "200"},
        {"PATCH", "/api/v1/tasks/{id}", "{\"done\": true}", "200"},
        {"DELETE", "/api/v1/tasks/{id}", null, "204"},
      };
      for (String[] step : steps) {
        if (step[1].contains("{id}") && id == null) {
          break; // the create failed: nothing to read, complete or delete
        }
        String path = id == null ? step[1] : step[1].replace("{id}", id);
        long start = System.nanoTime();
        int status;
        String body = "";
        try {
          HttpResponse<String> response = send(http, base, step[0], path, auth, step[2]);
          status = response.statusCode();
          body = response.body();
        } catch (Exception e) {
          status = -1; // connection error or timeout
        }
        if (count == latencies.length) {
          latencies = Arrays.copyOf(latencies, count * 2);
        }
        latencies[count++] = System.nanoTime() - start;
        statuses.merge(status, 1, Integer::sum);
        if (status != Integer.parseInt(step[3])) {
          errors++;
        }
        if (step[0].equals("POST")) {
          Matcher created = ID.matcher(body);
          id = status == 201 && created.find() ? created.group(1) : null;
        }
      }
    }
    return new Tally(latencies, count, statuses, errors);
  }

  private static void report(List<Tally> tallies, double elapsedSeconds) {
    long[] all =
        tallies.stream()
            .flatMapToLong(t -> Arrays.stream(t.latenciesNanos(), 0, t.count()))
            .sorted()
            .toArray();
    Map<Integer, Integer> statuses = new TreeMap<>();
    int errors = 0;
    for (Tally tally : tallies) {
      tally.statuses().forEach((status, n) -> statuses.merge(status, n, Integer::sum));
      errors += tally.errors();
    }
    System.out.printf(
        "requests   %d in %.1f s: %.0f req/s%n",
        all.length, elapsedSeconds, all.length / elapsedSeconds);
    System.out.printf(
        "latency    p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        percentile(all, 50), percentile(all, 90), percentile(all, 99), percentile(all, 100));
    System.out.println("statuses   " + statuses + " (-1: connection error or timeout)");
    System.out.println("unexpected " + errors);
    if (errors > 0) {
      System.exit(1);
    }
  }

  /** The nearest-rank percentile of sorted latencies, in milliseconds. */
  private static double percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1] / 1e6;
  }

  private static HttpResponse<String> send(
      HttpClient http, URI base, String method, String path, String auth, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void expect(int status, HttpResponse<String> response) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(
          "expected "
              + status
              + " from "
              + response.request().uri()
              + ", got "
              + response.statusCode()
              + ": "
              + response.body());
    }
  }
}
