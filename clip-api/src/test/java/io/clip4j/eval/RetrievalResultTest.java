package io.clip4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.Features;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrievalResultTest {

    /** 2 images, 12 captions: image 0 owns captions 0 and 1, image 1 owns captions 2..11. */
    private static final int[] TEXT_IMAGE = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

    @Test
    void recallByHandSeveralCaptionsPerImage() {
        float[] sim = {
                // image 0 row: caption 1 has rank 3 (0.9, 0.8, 0.7 above), caption 0 rank 7 -> best rank 3
                0.3f, 0.6f, 0.9f, 0.8f, 0.7f, 0.5f, 0.45f, 0.4f, 0.2f, 0.1f, 0.05f, 0.0f,
                // image 1 row: caption 2 ranks first
                0.1f, 0.2f, 0.95f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f,
        };
        RetrievalResult r = RetrievalResult.of(sim, 2, TEXT_IMAGE);
        // image->text: image 0 best rank 3 (miss@1, hit@5, hit@10); image 1 rank 0.
        assertEquals(new RetrievalResult.Recall(0.5, 1, 1), r.imageToText());
        // text->image, per column, two images: caption 0: 0.3 vs 0.1 -> own image 0 first (hit)
        // caption 1: 0.6 vs 0.2 -> hit (own image 0). caption 2: 0.9 vs 0.95 -> own image 1 first (hit)
        // captions 3..7 own image 1: 0.8/0.7/0.5/0.45/0.4 vs 0.3 -> miss@1
        // captions 8..11: 0.2/0.1/0.05/0 vs 0.3 -> hit.   Hits@1 = 2 + 1 + 4 = 7 of 12.
        assertEquals(7.0 / 12, r.textToImage().r1(), 1e-12);
        assertEquals(1.0, r.textToImage().r5(), 1e-12);
        assertEquals(2, r.images());
        assertEquals(12, r.texts());
    }

    @Test
    void recallAtFiveAndTenWithTies() {
        // 12 images, one caption each (caption t belongs to image t); similarity row i = the column index,
        // except that each image's own caption score is set to give a chosen rank.
        int n = 12;
        int[] wanted = {0, 1, 4, 5, 9, 10, 0, 0, 0, 0, 0, 0};
        float[] sim = new float[n * n];
        for (int i = 0; i < n; i++) {
            // other captions score 100 - j; the own caption is placed just below the wanted[i] best others
            int above = 0;
            for (int j = 0; j < n; j++) {
                sim[i * n + j] = j == i ? 0 : 100 - j;
            }
            float threshold = 1000;
            for (int j = 0; j < n && above < wanted[i]; j++) {
                if (j != i) {
                    threshold = 100 - j;
                    above++;
                }
            }
            // equal to the wanted-th other caption: it has a lower index only if j < i ... use strictly below
            sim[i * n + i] = wanted[i] == 0 ? 1000 : threshold - 0.5f;
        }
        RetrievalResult r = RetrievalResult.of(sim, n, identity(n));
        // ranks 0,1,4,5,9,10,0,0,0,0,0,0: @1 -> 7, @5 -> 9 (0,1,4 + six zeros), @10 -> 11
        assertEquals(7.0 / 12, r.imageToText().r1(), 1e-12);
        assertEquals(9.0 / 12, r.imageToText().r5(), 1e-12);
        assertEquals(11.0 / 12, r.imageToText().r10(), 1e-12);

        // A tie with a lower-index item counts against the true item; with a higher index it does not:
        // image 0's caption is text 1 (tied with text 0 -> rank 1), image 1's is text 0 (rank 0).
        float[] tie = {1, 1, 1, 1};
        RetrievalResult t = RetrievalResult.of(tie, 2, new int[]{1, 0});
        assertEquals(0.5, t.imageToText().r1());
        assertEquals(0.5, t.textToImage().r1());
        assertEquals(1.0, t.textToImage().r5());
    }

    @Test
    void fromFeaturesUsesCosine() {
        // image 0 = x axis, image 1 = y axis; captions: 2x (image 0), 3y + 0.1x (image 1), -x (image 1)
        Features img = new Features(new float[]{1, 0, 0, 1}, 2, 2);
        Features txt = new Features(new float[]{2, 0, 0.1f, 3, -1, 0}, 3, 2);
        RetrievalResult r = RetrievalEvaluator.of(img, txt, new int[]{0, 1, 1});
        assertEquals(1.0, r.imageToText().r1());
        // caption 2 (-x): cos with image 0 = -1, image 1 = 0 -> its image 1 ranks first: all three hit
        assertEquals(1.0, r.textToImage().r1());
        assertThrows(EvaluationException.class, () -> RetrievalEvaluator.of(img, txt, new int[]{0, 0, 0}));
    }

    @Test
    void featureRowsWithoutADirectionAreRefusedNotTiedToAnAnswer() {
        // A zero row normalised to zero and tied with everything: recall came back as the tie-break order.
        Features txt = new Features(new float[]{1, 0, 0, 1}, 2, 2);
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> RetrievalEvaluator.of(new Features(new float[]{1, 0, 0, 0}, 2, 2), txt, new int[]{0, 1}));
        assertTrue(e.getMessage().contains("image_features row 1 is all zeros"), e.getMessage());
        e = assertThrows(EvaluationException.class,
                () -> RetrievalEvaluator.of(txt, new Features(new float[]{0, 0, 0, 1}, 2, 2), new int[]{0, 1}));
        assertTrue(e.getMessage().contains("text_features row 0 is all zeros"), e.getMessage());
        e = assertThrows(EvaluationException.class, () -> RetrievalEvaluator.of(
                new Features(new float[]{1, 0, Float.POSITIVE_INFINITY, 1}, 2, 2), txt, new int[]{0, 1}));
        assertTrue(e.getMessage().contains("image_features row 1 is not finite"), e.getMessage());
    }

    @Test
    void badInputIsTyped() {
        assertThrows(EvaluationException.class, () -> RetrievalResult.of(new float[3], 2, new int[]{0, 1}));
        assertThrows(EvaluationException.class, () -> RetrievalResult.of(new float[4], 2, new int[]{0, 2}));
        assertThrows(EvaluationException.class, () -> RetrievalResult.of(new float[]{0, Float.NaN}, 1,
                new int[]{0, 0}));
    }

    @Test
    void jsonRoundTrip() throws Exception {
        RetrievalResult r = RetrievalResult.of(new float[]{1, 0, 0, 1}, 2, new int[]{0, 1});
        ObjectMapper m = new ObjectMapper();
        String json = m.writeValueAsString(r);
        assertTrue(json.contains("\"imageToText\":{\"r1\":1.0"), json);
        assertEquals(r, m.readValue(json, RetrievalResult.class));
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
