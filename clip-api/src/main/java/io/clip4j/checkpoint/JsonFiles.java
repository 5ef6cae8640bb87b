package io.clip4j.checkpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the small JSON files of model directories, with messages that name the file, line and column. */
final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {
    }

    /**
     * @param file a JSON file
     * @param what what the file is, for messages (e.g. "open_clip config")
     * @return its top-level object
     * @throws CheckpointException naming the file if it cannot be read, is not valid JSON (with the line and
     *                             column of the error) or is not a JSON object
     */
    static JsonNode readObject(Path file, String what) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // Jackson's message repeats a "[Source: REDACTED ...]" location meant for logs, not users.
            String why = String.valueOf(e.getOriginalMessage()).replaceAll("\\s*\\(start marker at \\[Source:[^]]*]\\)", "");
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
