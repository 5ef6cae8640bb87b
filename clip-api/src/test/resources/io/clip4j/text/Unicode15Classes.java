import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;

/**
 * Prints the Unicode 15.0 letters (L*) and numbers (N*) as "first last L|N" hex runs, using
 * ICU4J 72.1 (Unicode 15.0, the version of the reference's regex module). Input for
 * gen_unicode_tables.py. Run: java -cp icu4j-72.1.jar Unicode15Classes.java > unicode15_classes.txt
 */
public class Unicode15Classes {
    public static void main(String[] args) {
        if (!UCharacter.getUnicodeVersion().toString().startsWith("15.0")) {
            throw new IllegalStateException("need ICU with Unicode 15.0, got " + UCharacter.getUnicodeVersion());
        }
        int runStart = -1;
        char runClass = 0;
        for (int cp = 0; cp <= 0x110000; cp++) {
            char c = cp == 0x110000 ? 0 : classOf(cp);
            if (c != runClass || (runStart >= 0 && c == 0)) {
                if (runClass != 0) {
                    System.out.printf("%x %x %c%n", runStart, cp - 1, runClass);
                }
                runStart = cp;
                runClass = c;
            }
        }
    }

    private static char classOf(int cp) {
        switch (UCharacter.getType(cp)) {
            case UCharacterCategory.UPPERCASE_LETTER: case UCharacterCategory.LOWERCASE_LETTER:
            case UCharacterCategory.TITLECASE_LETTER: case UCharacterCategory.MODIFIER_LETTER:
            case UCharacterCategory.OTHER_LETTER:
                return 'L';
            case UCharacterCategory.DECIMAL_DIGIT_NUMBER: case UCharacterCategory.LETTER_NUMBER:
            case UCharacterCategory.OTHER_NUMBER:
                return 'N';
            default:
                return 0;
        }
    }
}
