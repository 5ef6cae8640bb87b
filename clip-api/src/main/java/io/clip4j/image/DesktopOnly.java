package io.clip4j.image;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks code that uses desktop-only Java APIs (java.awt); the build's Android API check (animal-sniffer,
 * clip-api/pom.xml) skips it. Everything else in clip-api must run on Android API 26.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR})
@interface DesktopOnly {
}
