package io.clip4j.checkpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the small JSON files of model directories, with messages that name the file, line and column. */
final class JsonFiles {
    /** Trailing content fails, as in Python's json.load ("Extra data"), instead of being dropped. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonFiles() {
    }

    /**
     * @param file a JSON file
     * @param what what the file is, for messages (e.g. "open_clip config")
     * @return its top-level object
     * @throws CheckpointException naming the file if it cannot be read, is a device or named pipe, is not valid
     *                             JSON (with the line and column of the error) or is not a JSON object
     */
    static JsonNode readObject(Path file, String what) {
        // Reading a named pipe would block until a writer comes (never), a device such as /dev/zero never ends.
        if (Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file)) {
            throw new CheckpointException(file + ": " + what + " is not a regular file (a device or named pipe)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // Jackson's message repeats a "[Source: REDACTED ...]" location meant for logs, not users.
            String why = String.valueOf(e.getOriginalMessage())
                    .replaceAll("\\s*\\((?:start marker at|for (?:Object|Array) starting at) \\[Source:[^]]*]\\)", "");
            if (why.startsWith("Trailing token")) { // FAIL_ON_TRAILING_TOKENS' message names Jackson's classes
                why = "more content after the first JSON value";
            }
            throw new CheckpointException(file + ": " + what + " is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + ": "
                    + why, e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read " + what + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": " + what + " is not a JSON object");
        }
        return root;
    }
}
