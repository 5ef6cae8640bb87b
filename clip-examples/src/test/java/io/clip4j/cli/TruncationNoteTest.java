package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The note counts long texts across the slices it tokenizes them in. */
class TruncationNoteTest {
    @Test
    void countsLongTextsOnBothSidesOfASliceBoundary() {
        List<String> texts = new ArrayList<>(Collections.nCopies(9000, "a photo of a dog."));
        String longText = String.join(" ", Collections.nCopies(80, "cat"));
        for (int i : new int[]{4095, 4096, 8999}) {
            texts.set(i, longText + " " + i);
        }
        StringWriter out = new StringWriter();
        TruncationNote.warnIfTruncated(77, texts, "prompts", new PrintWriter(out));
        assertEquals("clip: note: 3 of 9000 prompts are longer than the model's context_length (77 tokens) and are "
                + "cut, e.g. \"" + longText.substring(0, 57) + "...\"" + System.lineSeparator(), out.toString());
        StringWriter none = new StringWriter();
        TruncationNote.warnIfTruncated(77, texts.subList(0, 4095), "prompts", new PrintWriter(none));
        assertEquals("", none.toString());
    }
}
