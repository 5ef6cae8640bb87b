package io.clip4j.zeroshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PromptTemplatesTest {
    /** The class names the reference fixture filled the templates with (testdata/README.md, section 1). */
    private static final List<String> FIXTURE_CLASSES = List.of("tabby cat", "Golden Retriever", "St. Bernard",
            "Geoffroy's spider monkey", "tench");

    /**
     * The reference fixture's {@code imagenet_template} cases are the 80 templates of openai/CLIP's
     * Prompt_Engineering_for_ImageNet notebook, in its order, template i filled by Python's
     * {@code template.format(classname)} with class name i mod 5: {@link PromptTemplates#IMAGENET_80} filled by
     * {@link PromptTemplates#fill} must give exactly those texts.
     */
    @Test
    void imagenet80EqualsTheNotebooksTemplatesFilledLikeFormat() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<String> filled = new ArrayList<>();
        Path cases = Path.of(System.getProperty("clip4j.testdata"), "tokenizer", "cases.jsonl");
        for (String line : Files.readAllLines(cases, StandardCharsets.UTF_8)) {
            JsonNode c = mapper.readTree(line);
            if (c.get("category").asText().equals("imagenet_template")) {
                filled.add(c.get("text").asText());
            }
        }
        assertEquals(80, filled.size());
        assertEquals(80, PromptTemplates.IMAGENET_80.size());
        for (int i = 0; i < 80; i++) {
            assertEquals(filled.get(i), PromptTemplates.fill(PromptTemplates.IMAGENET_80.get(i),
                    FIXTURE_CLASSES.get(i % 5)), "template " + i);
        }
    }

    /** Like {@code str.format}, the label goes in verbatim, braces included: "a photo of a {}.".format("x {} y"). */
    @Test
    void labelIsInsertedVerbatim() {
        assertEquals("a photo of a x {} y.", PromptTemplates.fill(PromptTemplates.PHOTO_OF_A, "x {} y"));
        assertEquals("{}", PromptTemplates.fill("{}", "{}"));
    }

    @Test
    void aBadTemplateIsQuotedOnOneLine() {
        // Found by fuzzing the CLI: a template was quoted raw, unlike labels and captions (MessageText), so a terminal
        // escape in --template reached the terminal and a tab or line break (made a space by the CLI) was hidden.
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PromptTemplates.fill("a photo\nof a \u001b[31mcat", "x"));
        assertEquals("a prompt template needs exactly one {} placeholder: \"a photo\\nof a \\u001b[31mcat\"",
                e.getMessage());
    }
}
